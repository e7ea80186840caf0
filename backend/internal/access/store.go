package access

import (
	"context"
	"sort"

	"countersign/backend/internal/platform/db"
)

// Store reads and writes casbin_rule inside the caller's transaction, so a role
// change commits together with its audit entry.
type Store struct{ db *db.DB }

// NewStore returns the policy store.
func NewStore(d *db.DB) *Store { return &Store{db: d} }

// Version is the policy version every app copy compares against.
func (s *Store) Version(ctx context.Context) (int64, error) {
	var v int64
	err := s.db.Conn(ctx).Raw(`SELECT version FROM authz_version`).Scan(&v).Error
	return v, err
}

func (s *Store) bump(ctx context.Context) error {
	return s.db.Conn(ctx).Exec(`UPDATE authz_version SET version = version + 1`).Error
}

// RolesOf returns the user's roles in the tenant.
func (s *Store) RolesOf(ctx context.Context, tenantID, userID string) ([]string, error) {
	var roles []string
	err := s.db.Conn(ctx).Raw(`SELECT v1 FROM casbin_rule WHERE ptype = 'g' AND v0 = ? AND v2 = ? ORDER BY v1`,
		userID, tenantID).Scan(&roles).Error
	return roles, err
}

// RolesByUser returns the roles of every member of the tenant, by user id.
func (s *Store) RolesByUser(ctx context.Context, tenantID string) (map[string][]string, error) {
	var rows []struct{ V0, V1 string }
	err := s.db.Conn(ctx).Raw(`SELECT v0, v1 FROM casbin_rule WHERE ptype = 'g' AND v2 = ? ORDER BY v0, v1`,
		tenantID).Scan(&rows).Error
	out := map[string][]string{}
	for _, r := range rows {
		out[r.V0] = append(out[r.V0], r.V1)
	}
	return out, err
}

// UsersWithRole lists the users holding role in the tenant, whatever their
// membership's status (tenancy knows that).
func (s *Store) UsersWithRole(ctx context.Context, tenantID string, role Role) ([]string, error) {
	var users []string
	err := s.db.Conn(ctx).Raw(`SELECT v0 FROM casbin_rule WHERE ptype = 'g' AND v1 = ? AND v2 = ? ORDER BY v0`,
		string(role), tenantID).Scan(&users).Error
	return users, err
}

// SetRoles replaces the user's roles in the tenant.
func (s *Store) SetRoles(ctx context.Context, tenantID, userID string, roles []string) error {
	conn := s.db.Conn(ctx)
	if err := conn.Exec(`DELETE FROM casbin_rule WHERE ptype = 'g' AND v0 = ? AND v2 = ?`, userID, tenantID).Error; err != nil {
		return err
	}
	sorted := append([]string(nil), roles...)
	sort.Strings(sorted)
	for _, r := range sorted {
		if err := conn.Exec(`INSERT INTO casbin_rule (ptype, v0, v1, v2) VALUES ('g', ?, ?, ?) ON CONFLICT DO NOTHING`,
			userID, r, tenantID).Error; err != nil {
			return err
		}
	}
	return s.bump(ctx)
}

// SyncGrants makes the `p` policies equal to Grants (run at start and by seed).
func (s *Store) SyncGrants(ctx context.Context) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		conn := s.db.Conn(ctx)
		if err := conn.Exec(`SELECT pg_advisory_xact_lock(hashtext('countersign.grants'))`).Error; err != nil {
			return err
		}
		type grant struct{ role, perm string }
		want := map[grant]bool{}
		for role, perms := range Grants {
			for _, p := range perms {
				want[grant{string(role), string(p)}] = true
			}
		}
		var have []struct{ V0, V2 string }
		if err := conn.Raw(`SELECT v0, v2 FROM casbin_rule WHERE ptype = 'p' AND v1 = '*'`).Scan(&have).Error; err != nil {
			return err
		}
		changed := false
		for _, h := range have {
			g := grant{h.V0, h.V2}
			if want[g] {
				delete(want, g)
				continue
			}
			changed = true
			if err := conn.Exec(`DELETE FROM casbin_rule WHERE ptype = 'p' AND v0 = ? AND v1 = '*' AND v2 = ?`, h.V0, h.V2).Error; err != nil {
				return err
			}
		}
		for g := range want {
			changed = true
			if err := conn.Exec(`INSERT INTO casbin_rule (ptype, v0, v1, v2) VALUES ('p', ?, '*', ?)`, g.role, g.perm).Error; err != nil {
				return err
			}
		}
		if !changed {
			return nil
		}
		return s.bump(ctx)
	})
}
