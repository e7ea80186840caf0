package seed

import (
	"strings"
	"testing"
)

func TestSignIns_is_a_table_of_every_demo_user_with_tenant_and_roles(t *testing.T) {
	data, err := Demo()
	if err != nil {
		t.Fatal(err)
	}
	out := SignIns(data)
	for _, want := range []string{"admin@acme.test", "Acme Inc · admin", "Globex Corporation · viewer", "reviewer@acme.test",
		"password for all: " + data.Password} {
		if !strings.Contains(out, want) {
			t.Errorf("sign-in table lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "map[") {
		t.Errorf("the table prints a Go map:\n%s", out)
	}
}
