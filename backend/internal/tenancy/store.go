package tenancy

import (
	"context"
	"strings"
	"time"

	"countersign/backend/internal/platform/db"
)

// Store holds the SQL of tenants, memberships and invites. Every tenant-owned
// query takes the tenant id, so none can forget its owner.
type Store struct{ db *db.DB }

// NewStore returns the tenancy store.
func NewStore(d *db.DB) *Store { return &Store{db: d} }

// TenantByID finds a tenant.
func (s *Store) TenantByID(ctx context.Context, id string) (Tenant, error) {
	var t Tenant
	err := s.db.Conn(ctx).Raw(`SELECT id, slug, name, created_at FROM tenants WHERE id = ?`, id).Take(&t).Error
	return t, err
}

// TenantBySlug finds a tenant by slug.
func (s *Store) TenantBySlug(ctx context.Context, slug string) (Tenant, error) {
	var t Tenant
	err := s.db.Conn(ctx).Raw(`SELECT id, slug, name, created_at FROM tenants WHERE slug = ?`, slug).Take(&t).Error
	return t, err
}

// UpsertTenant creates the tenant or renames it (seeding).
func (s *Store) UpsertTenant(ctx context.Context, slug, name string) (Tenant, error) {
	var t Tenant
	err := s.db.Conn(ctx).Raw(`
		INSERT INTO tenants (slug, name) VALUES (?, ?)
		ON CONFLICT (slug) DO UPDATE SET name = EXCLUDED.name
		RETURNING id, slug, name, created_at`, slug, name).Scan(&t).Error
	return t, err
}

// RenameTenant changes a tenant's display name.
func (s *Store) RenameTenant(ctx context.Context, id, name string) error {
	return s.db.Conn(ctx).Exec(`UPDATE tenants SET name = ? WHERE id = ?`, name, id).Error
}

// ActiveMemberships lists the tenants a user may open, oldest membership first.
func (s *Store) ActiveMemberships(ctx context.Context, userID string) ([]Membership, error) {
	var ms []Membership
	err := s.db.Conn(ctx).Raw(`
		SELECT t.id AS tenant_id, t.slug, t.name
		FROM memberships m JOIN tenants t ON t.id = m.tenant_id
		WHERE m.user_id = ? AND m.status = 'active'
		ORDER BY m.created_at, t.slug`, userID).Scan(&ms).Error
	return ms, err
}

const memberSQL = `
SELECT m.id, m.tenant_id, m.user_id, u.email, u.name, m.status, m.created_at
FROM memberships m JOIN users u ON u.id = m.user_id
WHERE m.tenant_id = ?`

// Members lists a tenant's members (roles filled by the service).
func (s *Store) Members(ctx context.Context, tenantID string) ([]Member, error) {
	var ms []Member
	err := s.db.Conn(ctx).Raw(memberSQL+` ORDER BY lower(u.name), u.email`, tenantID).Scan(&ms).Error
	return ms, err
}

// Member finds one member of the tenant, locking it for update inside a transaction.
func (s *Store) Member(ctx context.Context, tenantID, id string) (Member, error) {
	var m Member
	err := s.db.Conn(ctx).Raw(memberSQL+` AND m.id = ? FOR UPDATE OF m`, tenantID, id).Take(&m).Error
	return m, err
}

// MemberByUser finds the membership of a user in the tenant.
func (s *Store) MemberByUser(ctx context.Context, tenantID, userID string) (Member, error) {
	var m Member
	err := s.db.Conn(ctx).Raw(memberSQL+` AND m.user_id = ?`, tenantID, userID).Take(&m).Error
	return m, err
}

// MemberByEmail finds the membership of an email in the tenant.
func (s *Store) MemberByEmail(ctx context.Context, tenantID, email string) (Member, error) {
	var m Member
	err := s.db.Conn(ctx).Raw(memberSQL+` AND u.email = ?`, tenantID, email).Take(&m).Error
	return m, err
}

// AddMember creates or reactivates a membership and returns its id.
func (s *Store) AddMember(ctx context.Context, tenantID, userID string, now time.Time) (string, error) {
	var id string
	err := s.db.Conn(ctx).Raw(`
		INSERT INTO memberships (tenant_id, user_id, status, created_at, updated_at) VALUES (?, ?, 'active', ?, ?)
		ON CONFLICT (tenant_id, user_id) DO UPDATE SET status = 'active', updated_at = EXCLUDED.updated_at
		RETURNING id`, tenantID, userID, now, now).Scan(&id).Error
	return id, err
}

// SetMemberStatus enables or disables a membership.
func (s *Store) SetMemberStatus(ctx context.Context, tenantID, id, status string, now time.Time) error {
	return s.db.Conn(ctx).Exec(`UPDATE memberships SET status = ?, updated_at = ? WHERE tenant_id = ? AND id = ?`,
		status, now, tenantID, id).Error
}

// ActiveMember reports whether the user is an active member of the tenant.
func (s *Store) ActiveMember(ctx context.Context, tenantID, userID string) (bool, error) {
	var ok bool
	err := s.db.Conn(ctx).Raw(`SELECT EXISTS (SELECT 1 FROM memberships WHERE tenant_id = ? AND user_id = ? AND status = 'active')`,
		tenantID, userID).Scan(&ok).Error
	return ok, err
}

// LockMembers makes the transaction the only one changing the tenant's
// members until it ends.
func (s *Store) LockMembers(ctx context.Context, tenantID string) error {
	return s.db.Conn(ctx).Exec(`SELECT pg_advisory_xact_lock(hashtext('countersign.members'), hashtext(?))`, tenantID).Error
}

// CountActive counts the users among userIDs who are active members of the tenant.
func (s *Store) CountActive(ctx context.Context, tenantID string, userIDs []string) (int, error) {
	if len(userIDs) == 0 {
		return 0, nil
	}
	var n int
	err := s.db.Conn(ctx).Raw(`SELECT count(*) FROM memberships WHERE tenant_id = ? AND status = 'active' AND user_id::text IN ?`,
		tenantID, userIDs).Scan(&n).Error
	return n, err
}

type inviteRow struct {
	Invite
	RolesCSV string
}

const inviteSQL = `
SELECT i.id, i.tenant_id, i.email, array_to_string(i.roles, ',') AS roles_csv, u.email AS invited_by,
       i.created_at, i.expires_at, i.accepted_at, i.revoked_at
FROM invites i JOIN users u ON u.id = i.invited_by`

func (r inviteRow) invite() Invite {
	inv := r.Invite
	inv.Roles = strings.Split(r.RolesCSV, ",")
	return inv
}

// PendingInvites lists the tenant's invites not accepted nor revoked, newest first.
func (s *Store) PendingInvites(ctx context.Context, tenantID string) ([]Invite, error) {
	var rows []inviteRow
	err := s.db.Conn(ctx).Raw(inviteSQL+`
		WHERE i.tenant_id = ? AND i.accepted_at IS NULL AND i.revoked_at IS NULL
		ORDER BY i.created_at DESC`, tenantID).Scan(&rows).Error
	out := make([]Invite, len(rows))
	for i, r := range rows {
		out[i] = r.invite()
	}
	return out, err
}

// InviteTenant answers whose invite has that token hash, before the tenant is
// known (a SECURITY DEFINER function: row-level security hides invites).
func (s *Store) InviteTenant(ctx context.Context, hash string) (string, error) {
	var r struct{ TenantID *string }
	if err := s.db.Conn(ctx).Raw(`SELECT invite_tenant(?) AS tenant_id`, hash).Scan(&r).Error; err != nil {
		return "", err
	}
	if r.TenantID == nil {
		return "", db.ErrNotFound
	}
	return *r.TenantID, nil
}

// InviteByToken finds an invite by its token hash, under the invite's tenant
// (InviteTenant), and locks it.
func (s *Store) InviteByToken(ctx context.Context, hash string) (Invite, error) {
	var r inviteRow
	err := s.db.Conn(ctx).Raw(inviteSQL+` WHERE i.token_hash = ? FOR UPDATE OF i`, hash).Take(&r).Error
	return r.invite(), err
}

// Invite finds one invite of the tenant.
func (s *Store) Invite(ctx context.Context, tenantID, id string) (Invite, error) {
	var r inviteRow
	err := s.db.Conn(ctx).Raw(inviteSQL+` WHERE i.tenant_id = ? AND i.id = ?`, tenantID, id).Take(&r).Error
	return r.invite(), err
}

// CreateInvite stores an invite and returns its id.
func (s *Store) CreateInvite(ctx context.Context, inv Invite, inviterID string, tokenHash string) (string, error) {
	var id string
	err := s.db.Conn(ctx).Raw(`
		INSERT INTO invites (tenant_id, email, roles, token_hash, invited_by, created_at, expires_at)
		VALUES (?, ?, string_to_array(?, ','), ?, ?, ?, ?) RETURNING id`,
		inv.TenantID, inv.Email, strings.Join(inv.Roles, ","), tokenHash, inviterID, inv.CreatedAt, inv.ExpiresAt).Scan(&id).Error
	return id, err
}

// RevokePendingInvites revokes the tenant's open invites for an email (a new
// invite replaces older ones).
func (s *Store) RevokePendingInvites(ctx context.Context, tenantID, email string, now time.Time) error {
	return s.db.Conn(ctx).Exec(`UPDATE invites SET revoked_at = ? WHERE tenant_id = ? AND email = ? AND accepted_at IS NULL AND revoked_at IS NULL`,
		now, tenantID, email).Error
}

// RevokeInvite revokes one open invite; it reports whether one was revoked.
func (s *Store) RevokeInvite(ctx context.Context, tenantID, id string, now time.Time) (bool, error) {
	res := s.db.Conn(ctx).Exec(`UPDATE invites SET revoked_at = ? WHERE tenant_id = ? AND id = ? AND accepted_at IS NULL AND revoked_at IS NULL`,
		now, tenantID, id)
	return res.RowsAffected == 1, res.Error
}

// MarkAccepted records who accepted an invite.
func (s *Store) MarkAccepted(ctx context.Context, id, userID string, now time.Time) error {
	return s.db.Conn(ctx).Exec(`UPDATE invites SET accepted_at = ?, accepted_by = ? WHERE id = ?`, now, userID, id).Error
}
