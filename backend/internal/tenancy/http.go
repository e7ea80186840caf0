package tenancy

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"countersign/backend/api"
	"countersign/backend/internal/identity"
	"countersign/backend/internal/platform/principal"
	"countersign/backend/internal/platform/problem"
)

// Handlers serve sign-in, the session view, members, invites and the tenant settings.
type Handlers struct {
	svc     *Service
	baseURL string // invite links point here
	secure  bool   // session cookie Secure flag
}

// NewHandlers returns the tenancy handlers.
func NewHandlers(svc *Service, baseURL string, secureCookies bool) *Handlers {
	return &Handlers{svc: svc, baseURL: baseURL, secure: secureCookies}
}

// Middleware refuses a request whose session's tenant no longer admits its
// user, ending the session and clearing the cookie. It runs after identity's
// Middleware, which resolves the session.
func (h *Handlers) Middleware() fiber.Handler {
	return func(c *fiber.Ctx) error {
		p, ok := principal.From(c.UserContext())
		if !ok {
			return c.Next()
		}
		if err := h.svc.CheckSession(c.UserContext(), p); err != nil {
			if pe, ok := problem.As(err); ok && pe.Kind == problem.KindUnauthenticated {
				c.Cookie(identity.ExpiredCookie(h.secure))
			}
			return err
		}
		return c.Next()
	}
}

// Login signs in.
func (h *Handlers) Login(ctx context.Context, req api.LoginRequestObject) (api.LoginResponseObject, error) {
	in := LoginInput{Email: req.Body.Email, Password: req.Body.Password, IP: principal.ClientIP(ctx), UserAgent: principal.UserAgent(ctx)}
	if req.Body.Tenant != nil {
		in.Tenant = *req.Body.Tenant
	}
	token, p, err := h.svc.SignIn(ctx, in)
	if err != nil {
		return nil, err
	}
	view, err := h.svc.SessionView(ctx, p)
	if err != nil {
		return nil, err
	}
	return api.Login200JSONResponse{Body: toAPISession(view),
		Headers: api.Login200ResponseHeaders{SetCookie: identity.SessionCookie(token, h.secure)}}, nil
}

// GetSession describes the signed-in user.
func (h *Handlers) GetSession(ctx context.Context, _ api.GetSessionRequestObject) (api.GetSessionResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	view, err := h.svc.SessionView(ctx, p)
	if err != nil {
		return nil, err
	}
	return api.GetSession200JSONResponse(toAPISession(view)), nil
}

// SwitchTenant changes the current tenant.
func (h *Handlers) SwitchTenant(ctx context.Context, req api.SwitchTenantRequestObject) (api.SwitchTenantResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	p, err = h.svc.SwitchTenant(ctx, p, req.Body.Tenant)
	if err != nil {
		return nil, err
	}
	view, err := h.svc.SessionView(ctx, p)
	if err != nil {
		return nil, err
	}
	return api.SwitchTenant200JSONResponse(toAPISession(view)), nil
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
	view, err := h.svc.SessionView(ctx, p)
	if err != nil {
		return nil, err
	}
	return api.AcceptInvitation200JSONResponse{Body: toAPISession(view),
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

func toAPISession(v SessionView) api.Session {
	p := v.Principal
	out := api.Session{User: api.User{Id: p.UserID, Email: p.Email, Name: p.Name}, CsrfToken: p.CSRFToken,
		Tenants: make([]api.TenantRef, len(v.Tenants)), Tenant: toAPITenantRef(v.Current),
		Roles: toAPIRoles(v.Current.Roles), Permissions: v.Permissions}
	for i, t := range v.Tenants {
		out.Tenants[i] = toAPITenantRef(t)
	}
	return out
}

func toAPITenantRef(t TenantRoles) api.TenantRef {
	return api.TenantRef{Id: t.TenantID, Slug: t.Slug, Name: t.Name, Roles: toAPIRoles(t.Roles)}
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
