// Package server assembles the HTTP application: platform middleware, the
// generated API routes behind authentication and per-route authorization,
// health, metrics, the spec and the embedded console.
package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"

	"countersign/backend/api"
	agentapi "countersign/backend/api/agent"
	"countersign/backend/internal/access"
	"countersign/backend/internal/agents"
	"countersign/backend/internal/alerts"
	"countersign/backend/internal/apply"
	"countersign/backend/internal/audit"
	"countersign/backend/internal/audits"
	"countersign/backend/internal/catalog"
	"countersign/backend/internal/changelog"
	"countersign/backend/internal/crm/sandbox"
	"countersign/backend/internal/exports"
	"countersign/backend/internal/gateway"
	"countersign/backend/internal/identity"
	"countersign/backend/internal/insights"
	"countersign/backend/internal/platform/clock"
	"countersign/backend/internal/platform/config"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/egress"
	"countersign/backend/internal/platform/jobs"
	"countersign/backend/internal/platform/logging"
	"countersign/backend/internal/platform/metrics"
	"countersign/backend/internal/platform/principal"
	"countersign/backend/internal/platform/problem"
	"countersign/backend/internal/platform/web"
	"countersign/backend/internal/proposals"
	"countersign/backend/internal/review"
	"countersign/backend/internal/rollouts"
	"countersign/backend/internal/tenancy"
)

// handlers joins every capability's handlers into the generated strict interface.
type handlers struct {
	identityHandlers
	tenancyHandlers
	auditHandlers
	catalogHandlers
	sandboxHandlers
	agentsHandlers
	proposalsHandlers
	alertsHandlers
	reviewHandlers
	changelogHandlers
	applyHandlers
	rolloutsHandlers
	insightsHandlers
	exportsHandlers
	auditsHandlers
}

type (
	identityHandlers  = *identity.Handlers
	tenancyHandlers   = *tenancy.Handlers
	auditHandlers     = *audit.Handlers
	catalogHandlers   = *catalog.Handlers
	sandboxHandlers   = *sandbox.Handlers
	agentsHandlers    = *agents.Handlers
	proposalsHandlers = *proposals.Handlers
	alertsHandlers    = *alerts.Handlers
	reviewHandlers    = *review.Handlers
	changelogHandlers = *changelog.Handlers
	applyHandlers     = *apply.Handlers
	rolloutsHandlers  = *rollouts.Handlers
	insightsHandlers  = *insights.Handlers
	exportsHandlers   = *exports.Handlers
	auditsHandlers    = *audits.Handlers
)

// Server is the assembled application: the HTTP app and the background jobs.
type Server struct {
	HTTP    *fiber.App
	Metrics *fiber.App // /metrics alone, for its own listener (COUNTERSIGN_METRICS_LISTEN)
	Jobs    *jobs.Jobs
	Catalog *catalog.Service
	Agents  *agents.Service
	Gateway *gateway.Service
	Alerts  *alerts.Service
	Review  *review.Service
	Changes *changelog.Service
	Apply   *apply.Service
	// Rollouts and Insights are the canary rollouts and their metrics.
	Rollouts *rollouts.Service
	Insights *insights.Service
	// Exports are the compliance evidence exports.
	Exports *exports.Service
}

var _ api.StrictServerInterface = handlers{}

// New builds the application on an open, migrated database. Background jobs
// run once Jobs.Start is called (serve does; most tests do not).
func New(ctx context.Context, cfg config.Config, log *slog.Logger, d *db.DB, clk clock.Clock) (*Server, error) {
	spec, err := api.GetSwagger()
	if err != nil {
		return nil, fmt.Errorf("loading the embedded spec: %w", err)
	}
	routes, err := access.RoutesFromSpec(spec)
	if err != nil {
		return nil, err
	}
	specJSON, err := json.Marshal(spec)
	if err != nil {
		return nil, err
	}
	agentSpec, err := agentapi.GetSwagger()
	if err != nil {
		return nil, fmt.Errorf("loading the embedded agent API spec: %w", err)
	}
	agentSpecJSON, err := json.Marshal(agentSpec)
	if err != nil {
		return nil, err
	}
	if err := access.NewStore(d).SyncGrants(ctx); err != nil {
		return nil, fmt.Errorf("syncing role grants: %w", err)
	}
	enforcer, err := access.NewEnforcer(ctx, d)
	if err != nil {
		return nil, err
	}

	auditLog := audit.New(d)
	ident := identity.NewService(d, auditLog, clk)
	tenants := tenancy.NewService(d, ident, enforcer, auditLog, clk)
	ih := identity.NewHandlers(ident, cfg.BaseURL, cfg.SecureCookies())
	th := tenancy.NewHandlers(tenants, cfg.BaseURL, cfg.SecureCookies())
	queue := jobs.New(d, log)
	cat, err := catalog.NewService(catalog.Deps{DB: d, Jobs: queue, Audit: auditLog, Clock: clk, Log: log,
		SecretKey: cfg.SecretKey, Factories: Connectors(d, cfg.Production(), clk), Provisioners: Provisioners(d)})
	if err != nil {
		return nil, err
	}
	alertSvc := alerts.New(d, clk)
	alertSvc.URL = cfg.AlertURL
	alertSvc.HTTP = egress.Client(cfg.Production(), 10*time.Second)
	alertSvc.RegisterJobs(queue)
	reads := proposals.NewService(d, clk)
	agentSvc := agents.NewService(agents.Deps{DB: d, Catalog: cat, Alerts: alertSvc, Proposals: reads, Audit: auditLog, Clock: clk})
	changes := changelog.New(changelog.Deps{DB: d, Clock: clk, Catalog: cat, Signer: changelog.NewSigner(cfg.SecretKey),
		Alerts: alertSvc})
	changes.RegisterJobs(queue)
	reviews := review.New(review.Deps{DB: d, Clock: clk, Catalog: cat, Alerts: alertSvc, Enforcer: enforcer, Audit: auditLog,
		Changes: changes})
	reviews.RegisterJobs(queue)
	insight := insights.New(d, clk)
	insight.RegisterJobs(queue)
	rollout := rollouts.New(rollouts.Deps{DB: d, Clock: clk, Agents: agentSvc, Catalog: cat, Insights: insight, Alerts: alertSvc, Audit: auditLog})
	rollout.RegisterJobs(queue)
	gw := gateway.NewService(d, agentSvc, cat, reviews, rollout, reads, clk)
	gw.Log = log
	gw.HTTP = egress.Client(cfg.Production(), 10*time.Second)
	gw.RegisterJobs(queue)
	applier := apply.New(apply.Deps{DB: d, Clock: clk, Catalog: cat, Changelog: changes, Review: reviews, Log: log})
	applier.RegisterJobs(queue)
	exporter := exports.New(exports.Deps{DB: d, Clock: clk, Changes: changes, Audit: auditLog,
		HTTP: egress.Client(cfg.Production(), 10*time.Second), BaseURL: cfg.BaseURL})
	exporter.RegisterJobs(queue)
	h := handlers{ih, th, audit.NewHandlers(auditLog), catalog.NewHandlers(cat), sandbox.NewHandlers(sandbox.NewService(d, clk)),
		agents.NewHandlers(agentSvc, mayManageAgents(enforcer)), proposals.NewHandlers(reads), alerts.NewHandlers(alertSvc), review.NewHandlers(reviews),
		changelog.NewHandlers(changes), apply.NewHandlers(applier), rollouts.NewHandlers(rollout), insights.NewHandlers(insight),
		exports.NewHandlers(exporter), audits.NewHandlers(audits.New(audits.Deps{DB: d, Clock: clk, Audit: auditLog, Changes: changes}))}

	app := fiber.New(fiber.Config{
		ErrorHandler:          web.ErrorHandler(log),
		BodyLimit:             16 << 20, // a full batch of 500 proposals with rationale and evidence
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          60 * time.Second,
		IdleTimeout:           120 * time.Second,
		DisableStartupMessage: true,
		// Strings from the request are copies, never views of buffers that the
		// next request reuses: values kept past a handler (cache keys, metric
		// labels, goroutines) stay true.
		Immutable: true,
	})
	m := metrics.New(d.SQL())
	app.Use(recover.New(), requestid.New(requestid.Config{ContextKey: logging.RequestIDKey}),
		m.Middleware(), logging.Middleware(log, cfg.RequestLog), securityHeaders)

	app.Get("/healthz", func(c *fiber.Ctx) error { return c.JSON(fiber.Map{"status": "ok"}) })
	app.Get("/readyz", readyz(d))
	app.Get("/api/openapi.json", sendJSON(specJSON))
	app.Get("/api/agent/openapi.json", sendJSON(agentSpecJSON))

	v1 := app.Group("/api/v1", requireJSON, web.RejectBadText(nil), ih.Middleware(), th.Middleware())
	api.RegisterHandlersWithOptions(v1, api.NewStrictHandler(h, []api.StrictMiddlewareFunc{authorize(routes, enforcer)}),
		api.FiberServerOptions{})
	agentAPI := app.Group("/api/agent/v1", web.RejectBadText(isBatch), gw.Authenticate)
	agentAPI.Post("/proposals", gw.SubmitHandler) // before the generated route, which it shadows
	agentapi.RegisterHandlersWithOptions(agentAPI, agentapi.NewStrictHandler(gateway.NewHandlers(gw), nil), agentapi.FiberServerOptions{})
	app.All("/mcp", web.RejectBadText(isMCPBatch), adaptor.HTTPHandler(gw.MCP()))
	app.All("/api/*", func(c *fiber.Ctx) error { return fiber.ErrNotFound })
	app.Get("/*", web.SPA())
	return &Server{HTTP: app, Metrics: m.App(), Jobs: queue, Catalog: cat, Agents: agentSvc, Gateway: gw, Alerts: alertSvc, Review: reviews,
		Changes: changes, Apply: applier, Rollouts: rollout, Insights: insight, Exports: exporter}, nil
}

// isBatch is the agent's proposal batch, whose items are refused one by one.
func isBatch(c *fiber.Ctx) bool {
	return c.Method() == fiber.MethodPost && strings.HasSuffix(c.Path(), "/proposals")
}

// isMCPBatch is an MCP call of propose_changes, whose items intake refuses one by one.
func isMCPBatch(c *fiber.Ctx) bool { return bytes.Contains(c.Body(), []byte(`"propose_changes"`)) }

// mayManageAgents answers for the caller of a console request.
func mayManageAgents(enforcer *access.Enforcer) func(context.Context) bool {
	return func(ctx context.Context) bool {
		p, ok := principal.From(ctx)
		if !ok {
			return false
		}
		allowed, err := enforcer.Allowed(p.UserID, p.TenantID, access.AgentsManage)
		return err == nil && allowed
	}
}

func sendJSON(b []byte) fiber.Handler {
	return func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
		return c.Send(b)
	}
}

func readyz(d *db.DB) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
		defer cancel()
		if err := d.SQL().PingContext(ctx); err != nil {
			return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable", "database": "unreachable"})
		}
		return c.JSON(fiber.Map{"status": "ready", "database": "ok"})
	}
}

func securityHeaders(c *fiber.Ctx) error {
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("X-Frame-Options", "DENY")
	c.Set("Referrer-Policy", "same-origin")
	c.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'")
	return c.Next()
}

// requireJSON refuses write bodies that are not JSON, which also keeps plain
// cross-site HTML forms from reaching any write.
func requireJSON(c *fiber.Ctx) error {
	if len(c.Body()) > 0 && !strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEApplicationJSON) {
		return problem.Invalid(problem.FieldError{Field: "Content-Type", Message: "must be application/json"})
	}
	return c.Next()
}
