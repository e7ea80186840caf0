package benchkit

import (
	"context"
	"fmt"
	"log/slog"

	"countersign/backend/internal/platform/clock"
	"countersign/backend/internal/platform/config"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/principal"
	"countersign/backend/internal/server"
)

// NewServer is the app's services over app (the app role's handle), as a
// benchmark drives them: a fixed secret key, the system clock.
func NewServer(ctx context.Context, app *db.DB, log *slog.Logger) (*server.Server, error) {
	return server.New(ctx, config.Config{BaseURL: "http://bench", SecretKey: make([]byte, 32)}, log, app, clock.System{})
}

// DemoMember is the demo seed's member email of acme, as a principal
// acting from 127.0.0.1.
func DemoMember(ctx context.Context, owner *db.DB, email string) (principal.Principal, error) {
	var p principal.Principal
	if err := owner.Conn(ctx).Raw(`SELECT m.tenant_id, u.id AS user_id, u.email, u.name FROM memberships m JOIN users u ON u.id = m.user_id
		JOIN tenants t ON t.id = m.tenant_id WHERE t.slug = 'acme' AND u.email = ?`, email).Scan(&p).Error; err != nil {
		return p, err
	}
	if p.UserID == "" {
		return p, fmt.Errorf("the demo seed has no %s in acme", email)
	}
	p.IP = "127.0.0.1"
	return p, nil
}
