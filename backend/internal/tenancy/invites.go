package tenancy

import (
	"context"

	"countersign/backend/internal/audit"
	"countersign/backend/internal/identity"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/problem"
)

// PendingInvites lists the tenant's open invitations.
func (s *Service) PendingInvites(ctx context.Context, tenantID string) ([]Invite, error) {
	return s.store.PendingInvites(ctx, tenantID)
}

// CreateInvite invites an email with roles and returns the invite and its
// one-time token (for the link: there is no mail server). A new invite for the
// same email replaces the open one.
func (s *Service) CreateInvite(ctx context.Context, actor identity.Principal, email string, roles []string) (Invite, string, error) {
	email = identity.NormalizeEmail(email)
	var f problem.Fields
	if !identity.ValidEmail(email) {
		f.Add("email", "must be an email address like name@example.com")
	}
	validateRoles(&f, "roles", roles)
	if err := f.Err(); err != nil {
		return Invite{}, "", err
	}
	now := s.clock.Now()
	inv := Invite{TenantID: actor.TenantID, Email: email, Roles: dedupe(roles), InvitedBy: actor.Email,
		CreatedAt: now, ExpiresAt: now.Add(InviteTTL)}
	token, hash := identity.NewToken()
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		if m, err := s.store.MemberByEmail(ctx, actor.TenantID, email); err == nil {
			if m.Status == StatusDisabled {
				return problem.Conflict("already_member", email+" is a disabled member: enable them on the Members page instead.")
			}
			return problem.Conflict("already_member", email+" is already a member of this tenant.")
		} else if !db.NotFound(err) {
			return err
		}
		if err := s.store.RevokePendingInvites(ctx, actor.TenantID, email, now); err != nil {
			return err
		}
		id, err := s.store.CreateInvite(ctx, inv, actor.UserID, hash)
		if err != nil {
			return err
		}
		inv.ID = id
		return s.record(ctx, actor, audit.MemberInvited, email, map[string]any{"roles": inv.Roles, "expires_at": inv.ExpiresAt})
	})
	return inv, token, err
}

// RevokeInvite revokes an open invitation of the tenant.
func (s *Service) RevokeInvite(ctx context.Context, actor identity.Principal, id string) error {
	if !db.IsUUID(id) {
		return problem.NotFound("invite")
	}
	return s.db.InTx(ctx, func(ctx context.Context) error {
		inv, err := s.store.Invite(ctx, actor.TenantID, id)
		if db.NotFound(err) {
			return problem.NotFound("invite")
		} else if err != nil {
			return err
		}
		ok, err := s.store.RevokeInvite(ctx, actor.TenantID, id, s.clock.Now())
		if err != nil {
			return err
		}
		if !ok {
			return problem.NotFound("invite")
		}
		return s.record(ctx, actor, audit.InviteRevoked, inv.Email, nil)
	})
}

// Invitation is what an invite link shows before it is accepted.
type Invitation struct {
	Invite
	TenantName   string
	ExistingUser bool
}

// Invitation looks up an invite link.
func (s *Service) Invitation(ctx context.Context, token string) (Invitation, error) {
	var out Invitation
	ctx, err := s.inviteTenant(ctx, token)
	if err != nil {
		return out, err
	}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		inv, err := s.usableInvite(ctx, token)
		if err != nil {
			return err
		}
		t, err := s.store.TenantByID(ctx, inv.TenantID)
		if err != nil {
			return err
		}
		_, exists, err := s.identity.UserByEmail(ctx, inv.Email)
		out = Invitation{Invite: inv, TenantName: t.Name, ExistingUser: exists}
		return err
	})
	return out, err
}

// AcceptInput is the invitee's answer: a name and new password for a new
// account, or the existing account's password.
type AcceptInput struct {
	Token, Name, Password string
	IP, UserAgent         string
}

// Accept joins the invitee to the tenant (creating the account if needed) and
// opens a session; it returns the session token.
func (s *Service) Accept(ctx context.Context, in AcceptInput) (string, identity.Principal, error) {
	var userID, tenantID string
	ctx, err := s.inviteTenant(ctx, in.Token)
	if err != nil {
		return "", identity.Principal{}, err
	}
	// An existing account's password is checked first, in its own
	// transaction: the attempt must count towards the lockout even when the
	// acceptance fails.
	verified := ""
	if inv, err := s.usableInvite(ctx, in.Token); err != nil {
		return "", identity.Principal{}, err
	} else if u, exists, err := s.identity.UserByEmail(ctx, inv.Email); err != nil {
		return "", identity.Principal{}, err
	} else if exists {
		if err := s.identity.VerifyPassword(ctx, u, in.Password, in.IP); err != nil {
			return "", identity.Principal{}, err
		}
		verified = u.ID
	}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		inv, err := s.usableInvite(ctx, in.Token)
		if err != nil {
			return err
		}
		u, exists, err := s.identity.UserByEmail(ctx, inv.Email)
		if err != nil {
			return err
		}
		switch {
		case !exists:
			if u, err = s.identity.CreateUser(ctx, inv.Email, in.Name, in.Password); err != nil {
				return err
			}
		case u.ID != verified: // the account appeared after its password was checked
			return problem.Conflict("user_exists", "An account with this email was just created; open the invitation again.")
		}
		now := s.clock.Now()
		if _, err := s.store.AddMember(ctx, inv.TenantID, u.ID, now); err != nil {
			return err
		}
		if err := s.roles.SetRoles(ctx, inv.TenantID, u.ID, inv.Roles); err != nil {
			return err
		}
		if err := s.store.MarkAccepted(ctx, inv.ID, u.ID, now); err != nil {
			return err
		}
		userID, tenantID = u.ID, inv.TenantID
		return s.audit.Record(ctx, audit.Entry{TenantID: inv.TenantID, At: now, ActorUserID: u.ID, ActorEmail: u.Email,
			Action: audit.InviteAccepted, Target: u.Email, Detail: map[string]any{"roles": inv.Roles, "invited_by": inv.InvitedBy}, IP: in.IP})
	})
	if err != nil {
		return "", identity.Principal{}, err
	}
	return s.identity.OpenSession(ctx, userID, tenantID, in.IP, in.UserAgent)
}

// inviteTenant returns ctx for the tenant of the invite link, found before
// any tenant is known (the link's token is the capability).
func (s *Service) inviteTenant(ctx context.Context, token string) (context.Context, error) {
	tenantID, err := s.store.InviteTenant(ctx, identity.HashToken(token))
	if db.NotFound(err) {
		return ctx, problem.NotFound("invite")
	} else if err != nil {
		return ctx, err
	}
	return db.WithTenant(ctx, tenantID), nil
}

func (s *Service) usableInvite(ctx context.Context, token string) (Invite, error) {
	inv, err := s.store.InviteByToken(ctx, identity.HashToken(token))
	if db.NotFound(err) {
		return inv, problem.NotFound("invite")
	} else if err != nil {
		return inv, err
	}
	switch {
	case inv.AcceptedAt != nil:
		return inv, problem.Gone("invite_used", "This invite link was already used. Sign in instead.")
	case inv.RevokedAt != nil:
		return inv, problem.Gone("invite_revoked", "This invite link was revoked. Ask an admin for a new one.")
	case inv.Expired(s.clock.Now()):
		return inv, problem.Gone("invite_expired", "This invite link has expired. Ask an admin for a new one.")
	}
	return inv, nil
}
