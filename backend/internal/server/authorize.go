package server

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"countersign/backend/api"
	"countersign/backend/internal/access"
	"countersign/backend/internal/platform/principal"
	"countersign/backend/internal/platform/problem"
)

// authorize enforces the x-permission each operation declares in openapi.yaml.
// It runs for every generated route, so no route can skip the decision.
func authorize(routes []access.Route, enforcer *access.Enforcer) api.StrictMiddlewareFunc {
	byHandler := make(map[string]access.Route, len(routes))
	for _, r := range routes {
		byHandler[r.HandlerName()] = r
	}
	return func(next api.StrictHandlerFunc, operation string) api.StrictHandlerFunc {
		return func(c *fiber.Ctx, req any) (any, error) {
			c.SetUserContext(principal.WithClient(c.UserContext(), c.IP(), c.Get(fiber.HeaderUserAgent)))
			route, ok := byHandler[operation]
			if !ok {
				return nil, fmt.Errorf("operation %s has no route permission", operation)
			}
			if route.Access == access.Public {
				return next(c, req)
			}
			p, ok := principal.From(c.UserContext())
			if !ok {
				return nil, problem.Unauthenticated("unauthenticated", "Sign in to continue.")
			}
			if route.Access == access.Authenticated {
				return next(c, req)
			}
			if err := enforcer.Refresh(c.UserContext()); err != nil {
				return nil, err
			}
			allowed, err := enforcer.Allowed(p.UserID, p.TenantID, access.Permission(route.Access))
			if err != nil {
				return nil, err
			}
			if !allowed {
				return nil, problem.Forbidden("forbidden", fmt.Sprintf("Your role in this tenant does not allow this (it needs %s).", route.Access))
			}
			return next(c, req)
		}
	}
}
