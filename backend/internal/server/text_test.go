package server_test

import (
	"encoding/json"
	"strings"
	"testing"

	"countersign/backend/internal/agents"
	"countersign/backend/internal/server/servertest"
)

// Text that PostgreSQL cannot store (NUL) or that encoding/json would quietly
// change (bytes that are not UTF-8) is refused with a 4xx naming the field,
// on every door: console queries and bodies, sign-in, the agent API.
func TestBadText_is_refused_naming_the_field_never_a_500(t *testing.T) {
	e := servertest.NewEnv(t, true)
	a := e.SignIn("admin@acme.test")
	for _, c := range []struct {
		method, path, body, field string
	}{
		{"GET", "/api/v1/proposals?object=dea%00ls", "", "object"},
		{"GET", "/api/v1/fields?q=%FF%FE", "", "q"},
		{"GET", "/api/v1/audit?action=x%00", "", "action"},
		{"POST", "/api/v1/invites", `{"email":"a\u0000@acme.test","roles":["viewer"]}`, "email"},
		{"POST", "/api/v1/agents", "{\"name\":\"bot \xff\"}", "name"},
	} {
		res := a.DoRaw(c.method, c.path, c.body)
		if res.Status != 400 || res.Code() != "validation_failed" || !strings.Contains(string(res.Body), `"field":"`+c.field+`"`) {
			t.Errorf("%s %s: %d %s, want 400 naming %s", c.method, c.path, res.Status, res.Body, c.field)
		}
	}
	login := e.Anon().DoRaw("POST", "/api/v1/auth/login", `{"email":"admin@acme.test\u0000","password":"countersign-demo"}`)
	if login.Status != 400 || !strings.Contains(string(login.Body), `"field":"email"`) {
		t.Errorf("sign-in with a NUL: %d %s", login.Status, login.Body)
	}
	// a ';' is not a parameter separator: the answer says so instead of blaming the body
	semi := a.Do("GET", "/api/v1/proposals?status=queued;limit=5", nil)
	if semi.Status != 400 || !strings.Contains(string(semi.Body), `"field":"query"`) || !strings.Contains(string(semi.Body), "separates parameters with ';'") {
		t.Errorf("a ';' in the query: %d %s", semi.Status, semi.Body)
	}
}

func TestBadText_in_one_item_never_fails_the_agents_batch(t *testing.T) {
	e := servertest.NewEnv(t, true)
	_, agent := e.NewAgent("admin@acme.test", "Texter", agents.Input{})
	deal := agent.Records("deals", "dealstage", 1)[0]
	good := `{"object":"deals","record_id":"` + deal.ID + `","field":"dealstage","proposed":"contractsent","confidence":0.9}`
	body := `{"proposals":[` + good + `,
		{"object":"deals","record_id":"` + deal.ID + `","field":"dealname","proposed":"x","confidence":0.9,"rationale":"before\u0000after"},
		{"object":"deals","record_id":"` + deal.ID + "\",\"field\":\"dealname\",\"proposed\":\"caf\xe9\",\"confidence\":0.9}]}"
	res := agent.Do("POST", "/proposals", body)
	var out struct{ Results []servertest.Result }
	if err := json.Unmarshal(res.Body, &out); err != nil || res.Status != 200 || len(out.Results) != 3 {
		t.Fatalf("batch: %d %s", res.Status, res.Body)
	}
	if r := out.Results[0]; r.ID == "" || r.Error != nil {
		t.Errorf("the clean item: %+v", r)
	}
	for i, field := range map[int]string{1: "proposals[1].rationale", 2: "proposals[2].proposed"} {
		if r := out.Results[i]; r.Error == nil || r.Error.Code != "invalid_text" || r.Error.Field != field {
			t.Errorf("item %d: %+v, want invalid_text on %s", i, r.Error, field)
		}
	}
	if res := agent.Do("GET", "/proposals/abc%00def", nil); res.Status >= 500 || res.Status < 400 {
		t.Errorf("agent read with a NUL id: %d %s", res.Status, res.Body)
	}
}
