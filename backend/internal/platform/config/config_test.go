package config

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoad_defaults_and_dev_key_kept_under_data_dir(t *testing.T) {
	dir := t.TempDir()
	c, err := Load(env(map[string]string{"COUNTERSIGN_DATA_DIR": dir}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != ":8080" || c.BaseURL != "http://localhost:8080" || c.Env != "development" || len(c.SecretKey) != 32 {
		t.Errorf("defaults: %+v", c)
	}
	again, _ := Load(env(map[string]string{"COUNTERSIGN_DATA_DIR": dir}))
	if string(again.SecretKey) != string(c.SecretKey) {
		t.Error("the development key changed between starts")
	}
	if st, err := os.Stat(filepath.Join(dir, "secret.key")); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("secret.key: %v %v", st, err)
	}
}

func TestLoad_production_requires_a_key_and_names_bad_settings(t *testing.T) {
	_, err := Load(env(map[string]string{"COUNTERSIGN_ENV": "production", "COUNTERSIGN_LOG_LEVEL": "loud", "COUNTERSIGN_BASE_URL": "ftp://x"}))
	for _, want := range []string{"COUNTERSIGN_SECRET_KEY", "COUNTERSIGN_LOG_LEVEL", "COUNTERSIGN_BASE_URL"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not name %s", err, want)
		}
	}
	if _, err := Load(env(map[string]string{"COUNTERSIGN_ENV": "production", "COUNTERSIGN_SECRET_KEY": "abcd"})); err == nil || !strings.Contains(err.Error(), "need at least 32") {
		t.Errorf("short key: %v", err)
	}
}

func TestLogValue_masks_secrets(t *testing.T) {
	key := strings.Repeat("ab", 32)
	c, err := Load(env(map[string]string{"COUNTERSIGN_SECRET_KEY": key, "COUNTERSIGN_DATABASE_URL": "postgres://app:hunter2@db:5432/cs"}))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	slog.New(slog.NewJSONHandler(&b, nil)).Info("start", "config", c)
	out := b.String()
	if strings.Contains(out, "hunter2") || strings.Contains(out, key) {
		t.Errorf("secret in log line: %s", out)
	}
	if !strings.Contains(out, "app:xxxxx@db:5432") {
		t.Errorf("database host not shown: %s", out)
	}
	if s := fmt.Sprint(c.LogValue()); strings.Contains(s, "hunter2") {
		t.Errorf("LogValue leaks: %s", s)
	}
}

func TestWithPrivateCluster_finds_the_checkouts_cluster_from_a_second_shell(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, ".data"), 0o755)
	os.MkdirAll(filepath.Join(root, "backend", "cmd"), 0o755)
	os.WriteFile(filepath.Join(root, ".data", DatabaseURLFile), []byte("postgres://postgres@127.0.0.1:54329/countersign?sslmode=disable\n"), 0o644)
	t.Chdir(filepath.Join(root, "backend", "cmd"))

	c, err := Load(WithPrivateCluster(env(map[string]string{})))
	if err != nil {
		t.Fatal(err)
	}
	if c.DatabaseURL != "postgres://postgres@127.0.0.1:54329/countersign?sslmode=disable" || c.DataDir != filepath.Join(root, ".data") {
		t.Errorf("from a subdirectory: url %q, data dir %q", c.DatabaseURL, c.DataDir)
	}
	if _, err := os.Stat(filepath.Join(root, ".data", "secret.key")); err != nil {
		t.Errorf("the development key is not the checkout's: %v", err)
	}
	set := "postgres://me@db/cs"
	if c, _ := Load(WithPrivateCluster(env(map[string]string{"COUNTERSIGN_DATABASE_URL": set}))); c.DatabaseURL != set {
		t.Errorf("an explicit URL was replaced by %q", c.DatabaseURL)
	}

	t.Chdir(t.TempDir())
	c, _ = Load(WithPrivateCluster(env(map[string]string{"COUNTERSIGN_DATA_DIR": t.TempDir()})))
	if err := c.RequireDatabase(); err == nil || !strings.Contains(err.Error(), "make run") {
		t.Errorf("outside a checkout: %v", err)
	}
}

func TestAppURL_is_the_owner_URL_as_the_app_role_unless_set(t *testing.T) {
	dir := t.TempDir()
	c, _ := Load(env(map[string]string{"COUNTERSIGN_DATA_DIR": dir,
		"COUNTERSIGN_DATABASE_URL": "postgres://countersign:pw@db:5432/countersign?sslmode=disable"}))
	if c.AppURL != "postgres://countersign_app:pw@db:5432/countersign?sslmode=disable" {
		t.Errorf("derived app URL %q", c.AppURL)
	}
	c, _ = Load(env(map[string]string{"COUNTERSIGN_DATA_DIR": dir,
		"COUNTERSIGN_DATABASE_URL": "postgres://postgres@127.0.0.1:54329/countersign"}))
	if c.AppURL != "postgres://countersign_app@127.0.0.1:54329/countersign" {
		t.Errorf("derived app URL without a password %q", c.AppURL)
	}
	c, _ = Load(env(map[string]string{"COUNTERSIGN_DATA_DIR": dir, "COUNTERSIGN_DATABASE_URL": "postgres://a@h/d",
		"COUNTERSIGN_APP_DATABASE_URL": "postgres://reader:hunter2@h/d"}))
	if c.AppURL != "postgres://reader:hunter2@h/d" || strings.Contains(fmt.Sprint(c.LogValue()), "hunter2") {
		t.Errorf("explicit app URL %q, logged as %v", c.AppURL, c.LogValue())
	}
}
