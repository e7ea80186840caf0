package tenancy_test

import (
	"testing"

	"countersign/backend/internal/server/servertest"
)

func TestSwitchTenant_changes_roles_and_foreign_slug_404(t *testing.T) {
	e := servertest.NewEnv(t)
	c := e.SignIn("admin@acme.test")
	res := c.Do("PUT", "/api/v1/session/tenant", map[string]any{"tenant": "globex"})
	if res.Status != 200 {
		t.Fatalf("switch: %d %s", res.Status, res.Body)
	}
	if roles := res.JSON(t)["roles"].([]any); len(roles) != 1 || roles[0] != "viewer" {
		t.Errorf("roles in globex = %v, want [viewer]", roles)
	}
	if res := c.Do("GET", "/api/v1/members", nil); res.Status != 403 {
		t.Errorf("a globex viewer listing members: %d, want 403", res.Status)
	}
	g := e.SignIn("admin@globex.test")
	if res := g.Do("PUT", "/api/v1/session/tenant", map[string]any{"tenant": "acme"}); res.Status != 404 {
		t.Errorf("switching to a tenant one is not in: %d, want 404", res.Status)
	}
}
