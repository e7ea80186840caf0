package server_test

import (
	"encoding/json"
	"strings"
	"testing"

	"countersign/backend/internal/agents"
)

// Text that PostgreSQL cannot store (NUL) or that encoding/json would quietly
// change (bytes that are not UTF-8) is refused with a 4xx naming the field,
// on every door: console queries and bodies, sign-in, the agent API.
func TestBadText_is_refused_naming_the_field_never_a_500(t *testing.T) {
	e := newEnv(t, true)
	a := e.signIn("admin@acme.test")
	for _, c := range []struct {
		method, path, body, field string
	}{
		{"GET", "/api/v1/proposals?object=dea%00ls", "", "object"},
		{"GET", "/api/v1/fields?q=%FF%FE", "", "q"},
		{"GET", "/api/v1/audit?action=x%00", "", "action"},
		{"POST", "/api/v1/invites", `{"email":"a\u0000@acme.test","roles":["viewer"]}`, "email"},
		{"POST", "/api/v1/agents", "{\"name\":\"bot \xff\"}", "name"},
	} {
		res := a.doRaw(c.method, c.path, c.body)
		if res.status != 400 || res.code() != "validation_failed" || !strings.Contains(string(res.body), `"field":"`+c.field+`"`) {
			t.Errorf("%s %s: %d %s, want 400 naming %s", c.method, c.path, res.status, res.body, c.field)
		}
	}
	login := e.anon().doRaw("POST", "/api/v1/auth/login", `{"email":"admin@acme.test\u0000","password":"countersign-demo"}`)
	if login.status != 400 || !strings.Contains(string(login.body), `"field":"email"`) {
		t.Errorf("sign-in with a NUL: %d %s", login.status, login.body)
	}
	// a ';' is not a parameter separator: the answer says so instead of blaming the body
	semi := a.do("GET", "/api/v1/proposals?status=queued;limit=5", nil)
	if semi.status != 400 || !strings.Contains(string(semi.body), `"field":"query"`) || !strings.Contains(string(semi.body), "separates parameters with ';'") {
		t.Errorf("a ';' in the query: %d %s", semi.status, semi.body)
	}
}

func TestBadText_in_one_item_never_fails_the_agents_batch(t *testing.T) {
	e := newEnv(t, true)
	_, agent := e.newAgent("admin@acme.test", "Texter", agents.Input{})
	deal := agent.records("deals", "dealstage", 1)[0]
	good := `{"object":"deals","record_id":"` + deal.ID + `","field":"dealstage","proposed":"contractsent","confidence":0.9}`
	body := `{"proposals":[` + good + `,
		{"object":"deals","record_id":"` + deal.ID + `","field":"dealname","proposed":"x","confidence":0.9,"rationale":"before\u0000after"},
		{"object":"deals","record_id":"` + deal.ID + "\",\"field\":\"dealname\",\"proposed\":\"caf\xe9\",\"confidence\":0.9}]}"
	res := agent.do("POST", "/proposals", body)
	var out struct{ Results []result }
	if err := json.Unmarshal(res.body, &out); err != nil || res.status != 200 || len(out.Results) != 3 {
		t.Fatalf("batch: %d %s", res.status, res.body)
	}
	if r := out.Results[0]; r.ID == "" || r.Error != nil {
		t.Errorf("the clean item: %+v", r)
	}
	for i, field := range map[int]string{1: "proposals[1].rationale", 2: "proposals[2].proposed"} {
		if r := out.Results[i]; r.Error == nil || r.Error.Code != "invalid_text" || r.Error.Field != field {
			t.Errorf("item %d: %+v, want invalid_text on %s", i, r.Error, field)
		}
	}
	if res := agent.do("GET", "/proposals/abc%00def", nil); res.status >= 500 || res.status < 400 {
		t.Errorf("agent read with a NUL id: %d %s", res.status, res.body)
	}
}
