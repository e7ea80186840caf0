package tenancy

import (
	"context"
	"time"

	"countersign/backend/api"
	"countersign/backend/internal/identity"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/principal"
)

// Handlers serve members, invites, the tenant settings and the session view.
type Handlers struct {
	svc     *Service
	baseURL string // invite links point here
	secure  bool   // session cookie Secure flag
}

// NewHandlers returns the tenancy handlers.
func NewHandlers(svc *Service, baseURL string, secureCookies bool) *Handlers {
	return &Handlers{svc: svc, baseURL: baseURL, secure: secureCookies}
}

// SessionView implements identity.Views.
func (h *Handlers) SessionView(ctx context.Context, p identity.Principal) (api.Session, error) {
	// p may be newer than the request (just signed in, or switched tenant)
	ctx = db.WithUser(db.WithTenant(ctx, p.TenantID), p.UserID)
	ms, err := h.svc.ActiveMemberships(ctx, p.UserID)
	if err != nil {
		return api.Session{}, err
	}
	view := api.Session{User: api.User{Id: p.UserID, Email: p.Email, Name: p.Name}, CsrfToken: p.CSRFToken,
		Tenants: []api.TenantRef{}, Roles: []api.Role{}, Permissions: []string{}}
	for _, m := range ms {
		roles, err := h.svc.roles.RolesOf(ctx, m.TenantID, p.UserID)
		if err != nil {
			return api.Session{}, err
		}
		ref := api.TenantRef{Id: m.TenantID, Slug: m.Slug, Name: m.Name, Roles: toAPIRoles(roles)}
		view.Tenants = append(view.Tenants, ref)
		if m.TenantID == p.TenantID {
			view.Tenant, view.Roles = ref, ref.Roles
		}
	}
	if err := h.svc.enforcer.Refresh(ctx); err != nil {
		return api.Session{}, err
	}
	view.Permissions, err = h.svc.enforcer.Permissions(p.UserID, p.TenantID)
	return view, err
}

// ListMembers lists the tenant's members.
func (h *Handlers) ListMembers(ctx context.Context, _ api.ListMembersRequestObject) (api.ListMembersResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	ms, err := h.svc.Members(ctx, p.TenantID)
	if err != nil {
		return nil, err
	}
	out := api.ListMembers200JSONResponse{Members: make([]api.Member, len(ms))}
	for i, m := range ms {
		out.Members[i] = toAPIMember(m)
	}
	return out, nil
}

// UpdateMember changes a member's roles or status.
func (h *Handlers) UpdateMember(ctx context.Context, req api.UpdateMemberRequestObject) (api.UpdateMemberResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	u := MemberUpdate{}
	if req.Body.Roles != nil {
		roles := fromAPIRoles(*req.Body.Roles)
		u.Roles = &roles
	}
	if req.Body.Status != nil {
		st := string(*req.Body.Status)
		u.Status = &st
	}
	m, err := h.svc.UpdateMember(ctx, p, req.MemberId, u)
	if err != nil {
		return nil, err
	}
	return api.UpdateMember200JSONResponse(toAPIMember(m)), nil
}

// ListInvites lists open invitations.
func (h *Handlers) ListInvites(ctx context.Context, _ api.ListInvitesRequestObject) (api.ListInvitesResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	invs, err := h.svc.PendingInvites(ctx, p.TenantID)
	if err != nil {
		return nil, err
	}
	out := api.ListInvites200JSONResponse{Invites: make([]api.Invite, len(invs))}
	now := h.svc.clock.Now()
	for i, inv := range invs {
		out.Invites[i] = toAPIInvite(inv, now)
	}
	return out, nil
}

// CreateInvite invites someone and returns the link.
func (h *Handlers) CreateInvite(ctx context.Context, req api.CreateInviteRequestObject) (api.CreateInviteResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	inv, token, err := h.svc.CreateInvite(ctx, p, req.Body.Email, fromAPIRoles(req.Body.Roles))
	if err != nil {
		return nil, err
	}
	a := toAPIInvite(inv, h.svc.clock.Now())
	return api.CreateInvite201JSONResponse{Id: a.Id, Email: a.Email, Roles: a.Roles, CreatedAt: a.CreatedAt,
		ExpiresAt: a.ExpiresAt, InvitedBy: a.InvitedBy, Status: api.CreatedInviteStatus(a.Status),
		Url: h.baseURL + "/invite/" + token}, nil
}

// RevokeInvite revokes an invitation.
func (h *Handlers) RevokeInvite(ctx context.Context, req api.RevokeInviteRequestObject) (api.RevokeInviteResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	if err := h.svc.RevokeInvite(ctx, p, req.InviteId); err != nil {
		return nil, err
	}
	return api.RevokeInvite204Response{}, nil
}

// GetInvitation shows what an invite link is for.
func (h *Handlers) GetInvitation(ctx context.Context, req api.GetInvitationRequestObject) (api.GetInvitationResponseObject, error) {
	inv, err := h.svc.Invitation(ctx, req.Token)
	if err != nil {
		return nil, err
	}
	return api.GetInvitation200JSONResponse{TenantName: inv.TenantName, Email: inv.Email, Roles: toAPIRoles(inv.Roles),
		ExistingUser: inv.ExistingUser, ExpiresAt: inv.ExpiresAt}, nil
}

// AcceptInvitation joins the tenant and signs in.
func (h *Handlers) AcceptInvitation(ctx context.Context, req api.AcceptInvitationRequestObject) (api.AcceptInvitationResponseObject, error) {
	in := AcceptInput{Token: req.Token, Password: req.Body.Password, IP: principal.ClientIP(ctx), UserAgent: principal.UserAgent(ctx)}
	if req.Body.Name != nil {
		in.Name = *req.Body.Name
	}
	token, p, err := h.svc.Accept(ctx, in)
	if err != nil {
		return nil, err
	}
	view, err := h.SessionView(ctx, p)
	if err != nil {
		return nil, err
	}
	return api.AcceptInvitation200JSONResponse{Body: view,
		Headers: api.AcceptInvitation200ResponseHeaders{SetCookie: identity.SessionCookie(token, h.secure)}}, nil
}

// GetTenant returns the current tenant.
func (h *Handlers) GetTenant(ctx context.Context, _ api.GetTenantRequestObject) (api.GetTenantResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	t, err := h.svc.Tenant(ctx, p.TenantID)
	if err != nil {
		return nil, err
	}
	return api.GetTenant200JSONResponse(toAPITenant(t)), nil
}

// UpdateTenant renames the current tenant.
func (h *Handlers) UpdateTenant(ctx context.Context, req api.UpdateTenantRequestObject) (api.UpdateTenantResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	t, err := h.svc.RenameTenant(ctx, p, req.Body.Name)
	if err != nil {
		return nil, err
	}
	return api.UpdateTenant200JSONResponse(toAPITenant(t)), nil
}

func toAPITenant(t Tenant) api.Tenant {
	return api.Tenant{Id: t.ID, Slug: t.Slug, Name: t.Name, CreatedAt: t.CreatedAt}
}

func toAPIMember(m Member) api.Member {
	return api.Member{Id: m.ID, UserId: m.UserID, Email: m.Email, Name: m.Name, Roles: toAPIRoles(m.Roles),
		Status: api.MemberStatus(m.Status), CreatedAt: m.CreatedAt}
}

func toAPIInvite(inv Invite, now time.Time) api.Invite {
	status := api.InviteStatusPending
	if inv.Expired(now) {
		status = api.InviteStatusExpired
	}
	return api.Invite{Id: inv.ID, Email: inv.Email, Roles: toAPIRoles(inv.Roles), CreatedAt: inv.CreatedAt,
		ExpiresAt: inv.ExpiresAt, InvitedBy: inv.InvitedBy, Status: status}
}

func toAPIRoles(roles []string) []api.Role {
	out := make([]api.Role, len(roles))
	for i, r := range roles {
		out[i] = api.Role(r)
	}
	return out
}

func fromAPIRoles(roles []api.Role) []string {
	out := make([]string, len(roles))
	for i, r := range roles {
		out[i] = string(r)
	}
	return out
}
