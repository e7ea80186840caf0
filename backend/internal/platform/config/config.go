// Package config reads the one typed configuration of the binary from the
// environment, validates it at start and masks secrets when printed.
package config

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// Config is everything the server needs to start.
type Config struct {
	DatabaseURL string     // COUNTERSIGN_DATABASE_URL: the schema owner's, for `migrate` (secret: may hold a password)
	AppURL      string     // COUNTERSIGN_APP_DATABASE_URL: the app role's, for everything else; default DatabaseURL as countersign_app
	Listen      string     // COUNTERSIGN_LISTEN, default ":8080"
	SecretKey   []byte     // COUNTERSIGN_SECRET_KEY, 32+ bytes as hex or base64 (secret)
	BaseURL     string     // COUNTERSIGN_BASE_URL, default http://localhost<Listen>
	LogLevel    slog.Level // COUNTERSIGN_LOG_LEVEL: debug|info|warn|error
	Env         string     // COUNTERSIGN_ENV: development (default) | production
	DataDir     string     // COUNTERSIGN_DATA_DIR, default .data (dev secret key lives here)
	AlertURL    string     // COUNTERSIGN_ALERT_WEBHOOK_URL: a Slack-compatible incoming webhook for alerts (secret)
	// MetricsListen is where /metrics is served, apart from the public
	// listener: COUNTERSIGN_METRICS_LISTEN, default 127.0.0.1:9090; "off" serves none.
	MetricsListen string
	RequestLog    bool // COUNTERSIGN_REQUEST_LOG=on logs every request; off (default) logs only server errors
}

// Production reports whether development conveniences are off.
func (c Config) Production() bool { return c.Env == "production" }

// SecureCookies reports whether cookies must carry the Secure flag.
func (c Config) SecureCookies() bool { return strings.HasPrefix(c.BaseURL, "https://") }

// Load reads the configuration through getenv (os.Getenv in main, a map in tests).
func Load(getenv func(string) string) (Config, error) {
	c := Config{
		DatabaseURL: getenv("COUNTERSIGN_DATABASE_URL"),
		Listen:      orDefault(getenv("COUNTERSIGN_LISTEN"), ":8080"),
		BaseURL:     strings.TrimRight(getenv("COUNTERSIGN_BASE_URL"), "/"),
		Env:         orDefault(getenv("COUNTERSIGN_ENV"), "development"),
		DataDir:     orDefault(getenv("COUNTERSIGN_DATA_DIR"), ".data"),
		AlertURL:    getenv("COUNTERSIGN_ALERT_WEBHOOK_URL"),

		MetricsListen: orDefault(getenv("COUNTERSIGN_METRICS_LISTEN"), "127.0.0.1:9090"),
	}
	c.AppURL = getenv("COUNTERSIGN_APP_DATABASE_URL")
	if c.AppURL == "" && c.DatabaseURL != "" {
		c.AppURL = AppURL(c.DatabaseURL)
	}
	var errs []error
	if c.MetricsListen == "off" {
		c.MetricsListen = ""
	} else if !strings.Contains(c.MetricsListen, ":") {
		errs = append(errs, fmt.Errorf("COUNTERSIGN_METRICS_LISTEN: %q is not host:port (or off)", c.MetricsListen))
	}
	switch v := orDefault(getenv("COUNTERSIGN_REQUEST_LOG"), "off"); v {
	case "on", "off":
		c.RequestLog = v == "on"
	default:
		errs = append(errs, fmt.Errorf("COUNTERSIGN_REQUEST_LOG: %q is not on or off", v))
	}
	if c.Env != "development" && c.Env != "production" {
		errs = append(errs, fmt.Errorf("COUNTERSIGN_ENV: %q is not one of development, production", c.Env))
	}
	if err := c.LogLevel.UnmarshalText([]byte(orDefault(getenv("COUNTERSIGN_LOG_LEVEL"), "info"))); err != nil {
		errs = append(errs, fmt.Errorf("COUNTERSIGN_LOG_LEVEL: %v", err))
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://localhost" + listenPort(c.Listen)
	} else if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("COUNTERSIGN_BASE_URL: %q is not an absolute http(s) URL", c.BaseURL))
	}
	key, err := c.secretKey(getenv("COUNTERSIGN_SECRET_KEY"))
	if err != nil {
		errs = append(errs, err)
	}
	c.SecretKey = key
	return c, errors.Join(errs...)
}

// RequireDatabase is checked by the subcommands that need a database.
func (c Config) RequireDatabase() error {
	if c.DatabaseURL != "" {
		return nil
	}
	return errors.New("COUNTERSIGN_DATABASE_URL is not set, and no private cluster was found (.data/" + DatabaseURLFile + "\n" +
		"  in this directory, its parents, or beside bin/).\n" +
		"  In the checkout, `make run` (or `scripts/pg.sh start`) starts the private PostgreSQL and records its URL there;\n" +
		"  with your own server: export COUNTERSIGN_DATABASE_URL=postgres://USER:PASSWORD@HOST:5432/DB?sslmode=disable")
}

// secretKey decodes the configured key or, in development only, loads or
// creates one under DataDir so sessions survive restarts.
func (c Config) secretKey(raw string) ([]byte, error) {
	if raw != "" {
		key, err := decodeKey(raw)
		if err != nil {
			return nil, fmt.Errorf("COUNTERSIGN_SECRET_KEY: %v", err)
		}
		return key, nil
	}
	if c.Production() {
		return nil, errors.New("COUNTERSIGN_SECRET_KEY: required in production (32 random bytes, hex or base64: `openssl rand -hex 32`)")
	}
	path := filepath.Join(c.DataDir, "secret.key")
	if b, err := os.ReadFile(path); err == nil {
		key, err := decodeKey(strings.TrimSpace(string(b)))
		if err != nil {
			return nil, fmt.Errorf("%s: %v (delete it to generate a new one)", path, err)
		}
		return key, nil
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(c.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("creating %s: %v", c.DataDir, err)
	}
	if err := os.WriteFile(path, []byte(hex.EncodeToString(key)+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("writing %s: %v", path, err)
	}
	return key, nil
}

func decodeKey(raw string) ([]byte, error) {
	key, err := hex.DecodeString(raw)
	if err != nil {
		key, err = base64.StdEncoding.DecodeString(raw)
	}
	if err != nil {
		return nil, errors.New("not valid hex or base64")
	}
	if len(key) < 32 {
		return nil, fmt.Errorf("%d bytes; need at least 32", len(key))
	}
	return key, nil
}

// LogValue prints the configuration with secrets masked.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("database_url", MaskURL(c.DatabaseURL)),
		slog.String("app_database_url", MaskURL(c.AppURL)),
		slog.String("listen", c.Listen),
		slog.String("base_url", c.BaseURL),
		slog.String("secret_key", mask(len(c.SecretKey) > 0)),
		slog.String("log_level", c.LogLevel.String()),
		slog.String("env", c.Env),
		slog.String("alert_webhook_url", mask(c.AlertURL != "")),
		slog.String("metrics_listen", orDefault(c.MetricsListen, "off")),
		slog.Bool("request_log", c.RequestLog),
	)
}

// AppRole is the PostgreSQL role the server connects as: not the owner of
// the tables, no BYPASSRLS, so row-level security holds it to one tenant.
const AppRole = "countersign_app"

// AppURL is ownerURL with the user swapped for AppRole (and its password
// kept: docker-compose gives both roles the same one).
func AppURL(ownerURL string) string {
	u, err := url.Parse(ownerURL)
	if err != nil {
		return ownerURL
	}
	if p, ok := u.User.Password(); ok {
		u.User = url.UserPassword(AppRole, p)
	} else {
		u.User = url.User(AppRole)
	}
	return u.String()
}

// MaskURL hides the password of a connection URL.
func MaskURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || raw == "" {
		return mask(raw != "")
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.Redacted()
}

func mask(set bool) string {
	if set {
		return "[set]"
	}
	return "[unset]"
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func listenPort(listen string) string {
	if i := strings.LastIndex(listen, ":"); i >= 0 {
		return listen[i:]
	}
	return ""
}
