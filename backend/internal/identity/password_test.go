package identity

import (
	"strings"
	"testing"
)

func TestPassword_hash_is_salted_argon2id_and_checks(t *testing.T) {
	a, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := HashPassword("correct horse battery")
	if !strings.HasPrefix(a, "$argon2id$v=19$") || a == b {
		t.Fatalf("hashes %q %q: want argon2id with distinct salts", a, b)
	}
	if ok, err := CheckPassword(a, "correct horse battery"); !ok || err != nil {
		t.Errorf("right password: %v %v", ok, err)
	}
	if ok, _ := CheckPassword(a, "correct horse batterY"); ok {
		t.Error("wrong password accepted")
	}
	if _, err := CheckPassword("$2a$bcrypt", "x"); err == nil {
		t.Error("a non-argon2id hash was accepted")
	}
}

func TestValidateNewPassword(t *testing.T) {
	for pw, ok := range map[string]bool{"short": false, "twelve chars": true, strings.Repeat("x", 257): false} {
		if got := ValidateNewPassword(pw) == ""; got != ok {
			t.Errorf("%.20q: valid=%v, want %v", pw, got, ok)
		}
	}
}
