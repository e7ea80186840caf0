package sandbox_test

import (
	"encoding/json"
	"strings"
	"testing"

	"countersign/backend/internal/server/servertest"
)

func TestSandboxEdit_as_a_human_is_in_the_record_history(t *testing.T) {
	e := servertest.NewEnv(t, true)
	a := e.SignIn("admin@acme.test")
	conn := a.FirstConnection()
	var page struct{ Records []struct{ ID string } }
	json.Unmarshal(a.Do("GET", "/api/v1/sandbox/"+conn.ID+"/records/deals?limit=1", nil).Body, &page)
	path := "/api/v1/sandbox/" + conn.ID + "/records/deals/" + page.Records[0].ID
	res := a.Do("PATCH", path, map[string]any{"values": map[string]any{"dealstage": "closedwon"}})
	if res.Status != 200 || !strings.Contains(string(res.Body), `"dealstage":"closedwon"`) || !strings.Contains(string(res.Body), `"source":"human"`) {
		t.Fatalf("edit: %d %.400s", res.Status, res.Body)
	}
	bad := a.Do("PATCH", path, map[string]any{"values": map[string]any{"dealstage": "won-ish"}})
	if bad.Status != 400 || !strings.Contains(string(bad.Body), `"field":"values.dealstage"`) {
		t.Errorf("bad value: %d %s", bad.Status, bad.Body)
	}
	if res := e.SignIn("viewer@acme.test").Do("GET", path, nil); res.Status != 403 {
		t.Errorf("viewer reading the sandbox editor: %d", res.Status)
	}
}
