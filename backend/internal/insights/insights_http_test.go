package insights_test

import (
	"strings"
	"testing"

	"countersign/backend/internal/server/servertest"
)

// A workspace with no outcomes gets an Insights page of empty lists, never
// nulls the console would trip on.
func TestInsights_empty_workspace_answers_empty_lists(t *testing.T) {
	e := servertest.NewEnv(t, true)
	res := e.SignIn("admin@globex.test").Do("GET", "/api/v1/insights/overview?days=7", nil)
	body := string(res.Body)
	if res.Status != 200 || strings.Count(body, "null") != 1 || !strings.Contains(body, `"folded_at":null`) {
		t.Fatalf("%d %s", res.Status, body)
	}
	for _, k := range []string{`"rows":[]`, `"per_sensitivity":[]`, `"queue_depth":[]`, `"rollbacks_by_reason":[]`, `"per_day":[]`} {
		if !strings.Contains(body, k) {
			t.Errorf("no %s in %s", k, body)
		}
	}
	if res := e.SignIn("admin@globex.test").Do("GET", "/api/v1/insights/overview?days=91", nil); res.Status != 400 || servertest.FieldErr(res) != "days" {
		t.Errorf("days=91: %d %s", res.Status, res.Body)
	}
}
