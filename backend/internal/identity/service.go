package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"countersign/backend/internal/audit"
	"countersign/backend/internal/platform/clock"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/problem"
)

// Service checks credentials and keeps sessions.
type Service struct {
	db    *db.DB
	store *Store
	audit *audit.Log
	clock clock.Clock
}

// NewService wires the identity service.
func NewService(d *db.DB, log *audit.Log, c clock.Clock) *Service {
	return &Service{db: d, store: NewStore(d), audit: log, clock: c}
}

var errBadCredentials = problem.Unauthenticated("invalid_credentials", "Invalid email or password.")

// CheckCredentials verifies an email and password under the lockout and rate
// limit, and returns the user. An unknown email costs as much as a wrong
// password and is answered the same.
func (s *Service) CheckCredentials(ctx context.Context, email, password, ip string) (User, error) {
	email = NormalizeEmail(email)
	var fields problem.Fields
	if email == "" {
		fields.Add("email", "is required")
	}
	if password == "" {
		fields.Add("password", "is required")
	}
	if err := fields.Err(); err != nil {
		return User{}, err
	}
	now := s.clock.Now()
	attempt, err := s.reserveAttempt(ctx, email, ip, now)
	if err != nil {
		return User{}, err
	}
	user, err := s.store.UserByEmail(ctx, email)
	if err != nil && !db.NotFound(err) {
		return User{}, err
	}
	if err := s.settleAttempt(ctx, attempt, user, email, password, ip, now); err != nil {
		return User{}, err
	}
	return user, nil
}

// settleAttempt checks the password of a reserved attempt: a match marks it
// succeeded, anything else leaves it failed and is audited.
func (s *Service) settleAttempt(ctx context.Context, attempt int64, u User, email, password, ip string, now time.Time) error {
	hash := u.PasswordHash
	if hash == "" {
		hash = dummyHash
	}
	ok, err := CheckPassword(hash, password)
	if err != nil {
		return err
	}
	if !ok || u.ID == "" {
		return s.failLogin(ctx, email, ip, now)
	}
	return s.store.MarkSucceeded(ctx, attempt)
}

// SignIn opens a session of a user whose credentials were checked in the
// tenant the caller chose for them, and audits the sign-in. It returns the
// session token for the cookie.
func (s *Service) SignIn(ctx context.Context, u User, tenantID, ip, ua string) (string, Principal, error) {
	ctx = db.WithUser(db.WithTenant(ctx, tenantID), u.ID)
	var token string
	var p Principal
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		var err error
		if token, p, err = s.openSession(ctx, u, tenantID, ip, ua); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Entry{TenantID: tenantID, At: s.clock.Now(), ActorUserID: u.ID,
			ActorEmail: u.Email, Action: audit.SignedIn, Target: u.Email, IP: ip})
	})
	return token, p, err
}

// reserveAttempt refuses a locked-out email or address, and otherwise records
// this attempt as failed until the password proves otherwise. Counting and
// recording happen under a lock per email and per address, so N concurrent
// wrong passwords are counted as N: attempt N+1 is refused however they race.
func (s *Service) reserveAttempt(ctx context.Context, email, ip string, now time.Time) (int64, error) {
	var id int64
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.LockAttempts(ctx, email, ip); err != nil {
			return err
		}
		if err := s.checkLockout(ctx, email, ip, now); err != nil {
			return err
		}
		var err error
		id, err = s.store.RecordAttempt(ctx, email, ip, false, now)
		return err
	})
	return id, err
}

func (s *Service) checkLockout(ctx context.Context, email, ip string, now time.Time) error {
	byEmail, byIP, oldest, err := s.store.FailuresSince(ctx, email, ip, now.Add(-LockoutWindow))
	if err != nil {
		return err
	}
	if byEmail >= MaxFailuresByEmail {
		wait := oldest.Add(LockoutWindow).Sub(now)
		return problem.RateLimited("login_locked", fmt.Sprintf(
			"Too many failed sign-ins for this account. Try again in %d minutes.", minutes(wait)), wait)
	}
	if byIP >= MaxFailuresByIP {
		return problem.RateLimited("login_rate_limited",
			"Too many failed sign-ins from this address. Try again later.", LockoutWindow)
	}
	return nil
}

// failLogin audits a failed attempt (already recorded by reserveAttempt).
func (s *Service) failLogin(ctx context.Context, email, ip string, now time.Time) error {
	action := audit.SignInFailed
	if n, _, _, err := s.store.FailuresSince(ctx, email, ip, now.Add(-LockoutWindow)); err == nil && n == MaxFailuresByEmail {
		action = audit.SignInLocked
	}
	if err := s.audit.Record(ctx, audit.Entry{At: now, Action: action, Target: email, IP: ip}); err != nil {
		return err
	}
	return errBadCredentials
}

// OpenSession starts a session for an already verified user (invite acceptance).
func (s *Service) OpenSession(ctx context.Context, userID, tenantID, ip, ua string) (string, Principal, error) {
	u, err := s.store.UserByID(ctx, userID)
	if err != nil {
		return "", Principal{}, err
	}
	return s.openSession(ctx, u, tenantID, ip, ua)
}

func (s *Service) openSession(ctx context.Context, u User, tenantID, ip, ua string) (string, Principal, error) {
	ctx = db.WithUser(db.WithTenant(ctx, tenantID), u.ID)
	token, id := NewToken()
	csrf, _ := NewToken()
	if err := s.store.CreateSession(ctx, id, u.ID, tenantID, csrf, ip, truncate(ua, 300), s.clock.Now()); err != nil {
		return "", Principal{}, err
	}
	return token, Principal{UserID: u.ID, Email: u.Email, Name: u.Name, SessionID: id, TenantID: tenantID, CSRFToken: csrf, IP: ip}, nil
}

// Authenticate resolves a session token. Whether the session's tenant still
// admits the user is tenancy's check (tenancy.Service.CheckSession).
func (s *Service) Authenticate(ctx context.Context, token string) (Principal, error) {
	noSession := problem.Unauthenticated("unauthenticated", "Sign in to continue.")
	if token == "" {
		return Principal{}, noSession
	}
	id := HashToken(token)
	now := s.clock.Now()
	// Whose session it is, before any tenant is known; then read it as that user.
	userID, err := s.store.SessionUser(ctx, id)
	if db.NotFound(err) {
		return Principal{}, noSession
	} else if err != nil {
		return Principal{}, err
	}
	ctx = db.WithUser(ctx, userID)
	r, err := s.store.Session(ctx, id, now)
	if db.NotFound(err) {
		return Principal{}, noSession
	} else if err != nil {
		return Principal{}, err
	}
	if now.Sub(r.LastSeenAt) > sessionTouchEvery {
		if err := s.store.TouchSession(ctx, id, now); err != nil {
			return Principal{}, err
		}
	}
	return Principal{UserID: r.UserID, Email: r.Email, Name: r.Name, SessionID: id, TenantID: r.TenantID, CSRFToken: r.CSRFToken}, nil
}

// Logout ends the caller's session.
func (s *Service) Logout(ctx context.Context, p Principal) error {
	return s.store.DeleteSession(ctx, p.SessionID)
}

// MoveSession moves the caller's session to another tenant, which the caller
// has checked the user may open.
func (s *Service) MoveSession(ctx context.Context, p Principal, tenantID string) (Principal, error) {
	p.TenantID = tenantID
	return p, s.store.SetSessionTenant(ctx, p.SessionID, tenantID)
}

// ChangePassword replaces the caller's password and ends their other sessions.
func (s *Service) ChangePassword(ctx context.Context, p Principal, current, next string) error {
	u, err := s.store.UserByID(ctx, p.UserID)
	if err != nil {
		return err
	}
	var fields problem.Fields
	if ok, err := CheckPassword(u.PasswordHash, current); err != nil {
		return err
	} else if !ok {
		fields.Add("current_password", "is not your current password")
	}
	if msg := ValidateNewPassword(next); msg != "" {
		fields.Add("new_password", "%s", msg)
	} else if next == current {
		fields.Add("new_password", "must differ from the current password")
	}
	if err := fields.Err(); err != nil {
		return err
	}
	hash, err := HashPassword(next)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(ctx context.Context) error {
		now := s.clock.Now()
		if err := s.store.SetPassword(ctx, u.ID, hash, now); err != nil {
			return err
		}
		if err := s.store.DeleteOtherSessions(ctx, u.ID, p.SessionID); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Entry{TenantID: p.TenantID, At: now, ActorUserID: u.ID,
			ActorEmail: u.Email, Action: audit.PasswordChanged, Target: u.Email, IP: p.IP})
	})
}

// UserByEmail finds a user by (normalised) email; ok is false when there is none.
func (s *Service) UserByEmail(ctx context.Context, email string) (User, bool, error) {
	u, err := s.store.UserByEmail(ctx, NormalizeEmail(email))
	if db.NotFound(err) {
		return User{}, false, nil
	}
	return u, err == nil, err
}

// CreateUser adds a user with a validated password; the caller owns the transaction.
func (s *Service) CreateUser(ctx context.Context, email, name, password string) (User, error) {
	u := User{Email: NormalizeEmail(email), Name: strings.TrimSpace(name), CreatedAt: s.clock.Now()}
	var fields problem.Fields
	if u.Name == "" {
		fields.Add("name", "is required")
	} else if len(u.Name) > 200 {
		fields.Add("name", "must be at most 200 characters")
	}
	if msg := ValidateNewPassword(password); msg != "" {
		fields.Add("password", "%s", msg)
	}
	if err := fields.Err(); err != nil {
		return User{}, err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return User{}, err
	}
	u.PasswordHash = hash
	u.ID, err = s.store.CreateUser(ctx, u)
	if db.Duplicate(err) {
		return User{}, problem.Conflict("user_exists", "An account with this email already exists.")
	}
	return u, err
}

// VerifyPassword checks an existing account's password for invite
// acceptance, under sign-in's lockout and rate limit and with its answers: a
// wrong password counts towards the account's and the address's lockout,
// and is told exactly as a wrong sign-in is. Call it outside a transaction
// that could roll the counted attempt back.
func (s *Service) VerifyPassword(ctx context.Context, u User, password, ip string) error {
	now := s.clock.Now()
	attempt, err := s.reserveAttempt(ctx, u.Email, ip, now)
	if err != nil {
		return err
	}
	return s.settleAttempt(ctx, attempt, u, u.Email, password, ip, now)
}

// EndSessionsIn signs the user out of a tenant (their membership was disabled).
func (s *Service) EndSessionsIn(ctx context.Context, tenantID, userID string) error {
	return s.store.DeleteSessionsIn(ctx, tenantID, userID)
}

// NormalizeEmail lowercases and trims an email address.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// ValidEmail reports whether email is a plain address.
func ValidEmail(email string) bool {
	a, err := mail.ParseAddress(email)
	return err == nil && a.Address == email && len(email) <= 254
}

func NewToken() (token, hash string) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

func HashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

func minutes(d time.Duration) int {
	m := int(d.Minutes() + 0.999)
	if m < 1 {
		return 1
	}
	return m
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
