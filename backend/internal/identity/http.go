package identity

import (
	"context"
	"crypto/subtle"
	"net/http"
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"

	"countersign/backend/api"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/principal"
	"countersign/backend/internal/platform/problem"
)

// CookieName is the session cookie.
const CookieName = "countersign_session"

// Handlers serve the session cookie and the account operations (signing in,
// the session view and switching tenants are tenancy's).
type Handlers struct {
	svc     *Service
	secure  bool
	baseURL string
}

// NewHandlers returns the identity handlers; secure sets the cookie's Secure flag.
func NewHandlers(svc *Service, baseURL string, secure bool) *Handlers {
	return &Handlers{svc: svc, secure: secure, baseURL: baseURL}
}

// Middleware resolves the session cookie into a Principal in the request
// context, and refuses cookie-authenticated writes without the session's CSRF
// token or from a foreign origin. tenancy's Middleware, next in the chain,
// checks that the session's tenant still admits the user.
func (h *Handlers) Middleware() fiber.Handler {
	return func(c *fiber.Ctx) error {
		token := c.Cookies(CookieName)
		if token == "" {
			return c.Next()
		}
		p, err := h.svc.Authenticate(c.UserContext(), token)
		if pe, ok := problem.As(err); ok && pe.Kind == problem.KindUnauthenticated {
			c.Cookie(ExpiredCookie(h.secure))
			return c.Next() // a stale cookie is just no session
		} else if err != nil {
			return err
		}
		if unsafeMethod(c.Method()) {
			if !h.sameOrigin(c) {
				return problem.Forbidden("bad_origin", "Cross-origin requests are refused.")
			}
			if subtle.ConstantTimeCompare([]byte(c.Get("X-CSRF-Token")), []byte(p.CSRFToken)) != 1 {
				return problem.Forbidden("csrf_failed", "Missing or wrong X-CSRF-Token header; reload the page and try again.")
			}
		}
		p.IP = c.IP()
		// Every query of the request is held to the session's tenant (and
		// sees the user's own memberships and sessions).
		ctx := db.WithUser(db.WithTenant(c.UserContext(), p.TenantID), p.UserID)
		c.SetUserContext(principal.With(ctx, p))
		return c.Next()
	}
}

func (h *Handlers) sameOrigin(c *fiber.Ctx) bool {
	origin := c.Get(fiber.HeaderOrigin)
	if origin == "" {
		return true // not a browser cross-site request; the CSRF token still applies
	}
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	base, _ := url.Parse(h.baseURL)
	return u.Host == c.Hostname() || (base != nil && u.Host == base.Host)
}

func unsafeMethod(m string) bool {
	return m != fiber.MethodGet && m != fiber.MethodHead && m != fiber.MethodOptions
}

// SessionCookie is the Set-Cookie value that signs a browser in with token.
func SessionCookie(token string, secure bool) *string {
	c := (&http.Cookie{Name: CookieName, Value: token, Path: "/", HttpOnly: true, Secure: secure,
		SameSite: http.SameSiteLaxMode, MaxAge: int(SessionIdleTimeout / time.Second)}).String()
	return &c
}

// ExpiredCookie clears the session cookie of a session that ended.
func ExpiredCookie(secure bool) *fiber.Cookie {
	return &fiber.Cookie{Name: CookieName, Value: "", Path: "/", HTTPOnly: true, Secure: secure,
		SameSite: fiber.CookieSameSiteLaxMode, Expires: time.Unix(0, 0), MaxAge: -1}
}

// Logout ends the session and clears the cookie.
func (h *Handlers) Logout(ctx context.Context, _ api.LogoutRequestObject) (api.LogoutResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	if err := h.svc.Logout(ctx, p); err != nil {
		return nil, err
	}
	cleared := (&http.Cookie{Name: CookieName, Value: "", Path: "/", HttpOnly: true, Secure: h.secure,
		SameSite: http.SameSiteLaxMode, MaxAge: -1}).String()
	return api.Logout204Response{Headers: api.Logout204ResponseHeaders{SetCookie: &cleared}}, nil
}

// ChangePassword changes the caller's password.
func (h *Handlers) ChangePassword(ctx context.Context, req api.ChangePasswordRequestObject) (api.ChangePasswordResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	if err := h.svc.ChangePassword(ctx, p, req.Body.CurrentPassword, req.Body.NewPassword); err != nil {
		return nil, err
	}
	return api.ChangePassword204Response{}, nil
}
