// Package seed loads the demo data idempotently: what exists is left as it is,
// so re-running `countersign seed` never undoes changes made in the console.
package seed

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"

	"countersign/backend/internal/access"
	"countersign/backend/internal/identity"
	"countersign/backend/internal/platform/clock"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/tenancy"
	"countersign/seeds"
)

// Data is the shape of seeds/demo.json.
type Data struct {
	Password string `json:"password"`
	Tenants  []struct {
		Slug string `json:"slug"`
		Name string `json:"name"`
	} `json:"tenants"`
	Users []User `json:"users"`
}

// User is a demo user and their roles per tenant slug.
type User struct {
	Email       string              `json:"email"`
	Name        string              `json:"name"`
	Memberships map[string][]string `json:"memberships"`
}

// Demo loads the embedded demo data.
func Demo() (Data, error) {
	var d Data
	err := json.Unmarshal(seeds.Demo, &d)
	return d, err
}

// Run applies the data in one transaction.
func Run(ctx context.Context, d *db.DB, data Data, log *slog.Logger) error {
	tenants := tenancy.NewStore(d)
	users := identity.NewStore(d)
	roles := access.NewStore(d)
	now := clock.System{}.Now()
	if err := roles.SyncGrants(ctx); err != nil {
		return err
	}
	return d.InTx(ctx, func(ctx context.Context) error {
		ids := map[string]string{}
		for _, t := range data.Tenants {
			tt, err := tenants.UpsertTenant(ctx, t.Slug, t.Name)
			if err != nil {
				return fmt.Errorf("tenant %s: %w", t.Slug, err)
			}
			ids[t.Slug] = tt.ID
		}
		for _, u := range data.Users {
			userID, err := ensureUser(ctx, users, u, data.Password)
			if err != nil {
				return fmt.Errorf("user %s: %w", u.Email, err)
			}
			for _, slug := range sortedKeys(u.Memberships) {
				tenantID, ok := ids[slug]
				if !ok {
					return fmt.Errorf("user %s: unknown tenant %q", u.Email, slug)
				}
				if _, err := tenants.MemberByUser(ctx, tenantID, userID); err == nil {
					continue // already there: leave the console's changes alone
				} else if !db.NotFound(err) {
					return err
				}
				if _, err := tenants.AddMember(ctx, tenantID, userID, now); err != nil {
					return err
				}
				if err := roles.SetRoles(ctx, tenantID, userID, u.Memberships[slug]); err != nil {
					return err
				}
				log.Info("seeded member", "tenant", slug, "email", u.Email, "roles", u.Memberships[slug])
			}
		}
		return nil
	})
}

func ensureUser(ctx context.Context, users *identity.Store, u User, password string) (string, error) {
	existing, err := users.UserByEmail(ctx, u.Email)
	if err == nil {
		return existing.ID, nil
	} else if !db.NotFound(err) {
		return "", err
	}
	hash, err := identity.HashPassword(password)
	if err != nil {
		return "", err
	}
	return users.CreateUser(ctx, identity.User{Email: u.Email, Name: u.Name, PasswordHash: hash, CreatedAt: clock.System{}.Now()})
}

func sortedKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
