package identity

import (
	"context"
	"time"

	"countersign/backend/internal/platform/db"
)

// Store holds the SQL of users, sessions and sign-in attempts.
type Store struct{ db *db.DB }

// NewStore returns the identity store.
func NewStore(d *db.DB) *Store { return &Store{db: d} }

type userRow struct {
	ID           string
	Email        string
	Name         string
	PasswordHash string
	CreatedAt    time.Time
}

func (r userRow) user() User { return User(r) }

// UserByEmail finds a user; db.NotFound(err) when there is none.
func (s *Store) UserByEmail(ctx context.Context, email string) (User, error) {
	var r userRow
	err := s.db.Conn(ctx).Raw(`SELECT id, email, name, password_hash, created_at FROM users WHERE email = ?`, email).Take(&r).Error
	return r.user(), err
}

// UserByID finds a user by id.
func (s *Store) UserByID(ctx context.Context, id string) (User, error) {
	var r userRow
	err := s.db.Conn(ctx).Raw(`SELECT id, email, name, password_hash, created_at FROM users WHERE id = ?`, id).Take(&r).Error
	return r.user(), err
}

// CreateUser inserts a user and returns its id.
func (s *Store) CreateUser(ctx context.Context, u User) (string, error) {
	var id string
	err := s.db.Conn(ctx).Raw(`INSERT INTO users (email, name, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		u.Email, u.Name, u.PasswordHash, u.CreatedAt, u.CreatedAt).Scan(&id).Error
	return id, err
}

// SetPassword replaces a user's password hash.
func (s *Store) SetPassword(ctx context.Context, userID, hash string, at time.Time) error {
	return s.db.Conn(ctx).Exec(`UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?`, hash, at, userID).Error
}

// FailuresSince counts failed sign-ins for the email and for the IP since t,
// and the time of the oldest failure for the email in that window.
func (s *Store) FailuresSince(ctx context.Context, email, ip string, t time.Time) (byEmail, byIP int, oldest time.Time, err error) {
	var row struct {
		ByEmail int
		ByIP    int
		Oldest  *time.Time
	}
	err = s.db.Conn(ctx).Raw(`
		SELECT
		  (SELECT count(*) FROM login_attempts WHERE email = ? AND NOT succeeded AND at > ?
		     AND at > COALESCE((SELECT max(at) FROM login_attempts WHERE email = ? AND succeeded), '-infinity')) AS by_email,
		  (SELECT count(*) FROM login_attempts WHERE ip = ? AND NOT succeeded AND at > ?) AS by_ip,
		  (SELECT min(at) FROM login_attempts WHERE email = ? AND NOT succeeded AND at > ?) AS oldest`,
		email, t, email, ip, t, email, t).Scan(&row).Error
	if row.Oldest != nil {
		oldest = *row.Oldest
	}
	return row.ByEmail, row.ByIP, oldest, err
}

// RecordAttempt remembers a sign-in attempt and returns its id.
func (s *Store) RecordAttempt(ctx context.Context, email, ip string, ok bool, at time.Time) (int64, error) {
	var id int64
	err := s.db.Conn(ctx).Raw(`INSERT INTO login_attempts (email, ip, succeeded, at) VALUES (?, ?, ?, ?) RETURNING id`,
		email, ip, ok, at).Scan(&id).Error
	return id, err
}

// LockAttempts serializes, until the transaction ends, the counting of
// attempts for one email and one address, so concurrent attempts see each other.
func (s *Store) LockAttempts(ctx context.Context, email, ip string) error {
	return s.db.Conn(ctx).Exec(`SELECT pg_advisory_xact_lock(hashtextextended('login:email:' || ?, 0)),
		pg_advisory_xact_lock(hashtextextended('login:ip:' || ?, 0))`, email, ip).Error
}

// MarkSucceeded turns a reserved attempt into a successful one.
func (s *Store) MarkSucceeded(ctx context.Context, id int64) error {
	return s.db.Conn(ctx).Exec(`UPDATE login_attempts SET succeeded = true WHERE id = ?`, id).Error
}

// sessionRow is a session joined with its user.
type sessionRow struct {
	ID         string
	UserID     string
	TenantID   string
	CSRFToken  string
	LastSeenAt time.Time
	Email      string
	Name       string
}

// CreateSession stores a new session.
func (s *Store) CreateSession(ctx context.Context, id string, userID, tenantID, csrf, ip, ua string, now time.Time) error {
	return s.db.Conn(ctx).Exec(`
		INSERT INTO sessions (id, user_id, tenant_id, csrf_token, ip, user_agent, created_at, last_seen_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, userID, tenantID, csrf, ip, ua, now, now, now.Add(SessionIdleTimeout)).Error
}

// SessionUser answers whose session has that token hash, before the tenant
// is known (through a SECURITY DEFINER function: row-level security hides
// sessions from a caller that declared no user or tenant).
func (s *Store) SessionUser(ctx context.Context, id string) (string, error) {
	var r struct{ UserID *string }
	if err := s.db.Conn(ctx).Raw(`SELECT session_user_id(?) AS user_id`, id).Scan(&r).Error; err != nil {
		return "", err
	}
	if r.UserID == nil {
		return "", db.ErrNotFound
	}
	return *r.UserID, nil
}

// Session finds a live session by the hash of its token.
func (s *Store) Session(ctx context.Context, id string, now time.Time) (sessionRow, error) {
	var r sessionRow
	err := s.db.Conn(ctx).Raw(`
		SELECT s.id, s.user_id, s.tenant_id, s.csrf_token, s.last_seen_at, u.email, u.name
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.id = ? AND s.expires_at > ?`, id, now).Take(&r).Error
	return r, err
}

// TouchSession slides the idle expiry.
func (s *Store) TouchSession(ctx context.Context, id string, now time.Time) error {
	return s.db.Conn(ctx).Exec(`UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE id = ?`,
		now, now.Add(SessionIdleTimeout), id).Error
}

// SetSessionTenant switches the session's current tenant.
func (s *Store) SetSessionTenant(ctx context.Context, id string, tenantID string) error {
	return s.db.Conn(ctx).Exec(`UPDATE sessions SET tenant_id = ? WHERE id = ?`, tenantID, id).Error
}

// DeleteSession ends one session.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	return s.db.Conn(ctx).Exec(`DELETE FROM sessions WHERE id = ?`, id).Error
}

// DeleteOtherSessions ends every session of the user but keep.
func (s *Store) DeleteOtherSessions(ctx context.Context, userID string, keep string) error {
	return s.db.Conn(ctx).Exec(`DELETE FROM sessions WHERE user_id = ? AND id <> ?`, userID, keep).Error
}

// DeleteSessionsIn ends the user's sessions whose current tenant is tenantID
// (used when a member is disabled).
func (s *Store) DeleteSessionsIn(ctx context.Context, tenantID, userID string) error {
	return s.db.Conn(ctx).Exec(`DELETE FROM sessions WHERE tenant_id = ? AND user_id = ?`, tenantID, userID).Error
}
