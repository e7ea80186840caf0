// Package seed loads the demo data idempotently: what exists is left as it is,
// so re-running `countersign seed` never undoes changes made in the console.
package seed

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"text/tabwriter"

	"countersign/backend/internal/access"
	"countersign/backend/internal/catalog"
	"countersign/backend/internal/crm"
	"countersign/backend/internal/identity"
	"countersign/backend/internal/platform/clock"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/principal"
	"countersign/backend/internal/tenancy"
	"countersign/seeds"
)

// Data is the shape of seeds/demo.json.
type Data struct {
	Password string `json:"password"`
	Tenants  []struct {
		Slug        string       `json:"slug"`
		Name        string       `json:"name"`
		Connections []Connection `json:"connections"`
	} `json:"tenants"`
	Users []User `json:"users"`
}

// Connection is a demo CRM connection, created by the named admin and synced.
type Connection struct {
	Name     string `json:"name"`
	Provider string `json:"provider"`
	Admin    string `json:"admin"`
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
				ctx := db.WithTenant(ctx, tenantID)
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

// Connections creates each tenant's demo CRM connection (once: an existing
// connection of that name is left alone) and syncs it right away, so the
// catalog is there from the first start.
func Connections(ctx context.Context, d *db.DB, cat *catalog.Service, data Data, log *slog.Logger) error {
	tenants := tenancy.NewStore(d)
	users := identity.NewStore(d)
	for _, t := range data.Tenants {
		for _, c := range t.Connections {
			tenant, err := tenants.TenantBySlug(ctx, t.Slug)
			if err != nil {
				return fmt.Errorf("tenant %s: %w", t.Slug, err)
			}
			ctx := db.WithTenant(ctx, tenant.ID)
			existing, err := cat.Connections(ctx, tenant.ID)
			if err != nil {
				return err
			}
			if slices.ContainsFunc(existing, func(e catalog.Connection) bool { return e.Name == c.Name }) {
				continue
			}
			admin, err := users.UserByEmail(ctx, c.Admin)
			if err != nil {
				return fmt.Errorf("connection %s: admin %s: %w", c.Name, c.Admin, err)
			}
			actor := principal.Principal{UserID: admin.ID, Email: admin.Email, TenantID: tenant.ID}
			name := c.Name
			conn, err := cat.CreateConnection(ctx, actor, catalog.ConnectionInput{Name: &name, Provider: crm.Provider(c.Provider)})
			if err != nil {
				return fmt.Errorf("connection %s: %w", c.Name, err)
			}
			if err := cat.RunSync(ctx, tenant.ID, conn.LastRun.ID); err != nil {
				return fmt.Errorf("syncing %s: %w", c.Name, err)
			}
			run, err := cat.Run(ctx, tenant.ID, conn.LastRun.ID)
			if err != nil || run.Status != "succeeded" {
				return fmt.Errorf("syncing %s: %s %v", c.Name, run.Error, err)
			}
			log.Info("seeded connection", "tenant", t.Slug, "name", c.Name, "fields", run.Summary.New)
		}
	}
	return nil
}

// SignIns is the demo sign-ins as a table for the terminal: each user with
// their tenants and roles, and the password they share.
func SignIns(data Data) string {
	names := map[string]string{}
	for _, t := range data.Tenants {
		names[t.Slug] = t.Name
	}
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 3, ' ', 0)
	fmt.Fprintln(w, "  email\ttenant · roles")
	for _, u := range data.Users {
		var where []string
		for _, slug := range sortedKeys(u.Memberships) {
			where = append(where, fmt.Sprintf("%s · %s", cmp.Or(names[slug], slug), strings.Join(u.Memberships[slug], ", ")))
		}
		fmt.Fprintf(w, "  %s\t%s\n", u.Email, strings.Join(where, "; "))
	}
	w.Flush()
	return b.String() + fmt.Sprintf("  (password for all: %s)\n", data.Password)
}
