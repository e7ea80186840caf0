package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"countersign/backend/internal/agents"
	"countersign/backend/internal/audit"
	"countersign/backend/internal/demoagent"
	"countersign/backend/internal/platform/clock"
	"countersign/backend/internal/platform/config"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/principal"
	"countersign/backend/internal/tenancy"
)

// runDemoAgent is `countersign demo-agent`: a pretend agent on the public API.
func runDemoAgent(ctx context.Context, cfg config.Config, d *db.DB, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("demo-agent", flag.ContinueOnError)
	url := fs.String("url", cfg.BaseURL, "Countersign's base URL")
	key := fs.String("key", os.Getenv("COUNTERSIGN_AGENT_KEY"), "agent key (default $COUNTERSIGN_AGENT_KEY)")
	tenant := fs.String("tenant", "", "instead of --key: create (once) the agent \"Demo agent\" in this tenant and a fresh key for it")
	interval := fs.Duration("interval", 15*time.Second, "time between batches")
	size := fs.Int("batch", 4, "proposals per batch")
	burst := fs.Bool("burst", false, "propose changes to 120 distinct records at once (trips the velocity breaker), then exit")
	once := fs.Bool("once", false, "send one batch and exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *tenant != "" {
		k, err := bootstrapDemoAgent(ctx, cfg, d, log, *tenant)
		if err != nil {
			return err
		}
		*key = k
	}
	if *key == "" {
		return errors.New("give --key (or $COUNTERSIGN_AGENT_KEY), or --tenant to create the demo agent")
	}
	a := demoagent.New(*url, *key, uint64(time.Now().UnixNano()), log)
	if err := waitFor(ctx, func() error { return a.Load(ctx) }); err != nil {
		return err
	}
	if *burst {
		return a.Burst(ctx, 120)
	}
	for {
		if err := a.Tick(ctx, *size); err != nil {
			log.Warn("demo agent batch failed", "error", err.Error())
		}
		if *once {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(*interval):
		}
	}
}

// waitFor retries while the server starts up.
func waitFor(ctx context.Context, f func() error) error {
	var err error
	for i := 0; i < 60; i++ {
		if err = f(); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
	return err
}

func bootstrapDemoAgent(ctx context.Context, cfg config.Config, d *db.DB, log *slog.Logger, slug string) (string, error) {
	t, err := tenancy.NewStore(d).TenantBySlug(ctx, slug)
	if err != nil {
		return "", fmt.Errorf("tenant %q: %w", slug, err)
	}
	cat, err := newCatalog(cfg, d, log)
	if err != nil {
		return "", err
	}
	svc := agents.NewService(agents.Deps{DB: d, Catalog: cat, Audit: audit.New(d), Clock: clock.System{}})
	ctx = db.WithTenant(ctx, t.ID)
	actor := principal.Principal{TenantID: t.ID, Email: "demo-agent"}
	a, err := svc.ByName(ctx, t.ID, "Demo agent")
	if err != nil {
		name, desc := "Demo agent", "A pretend enrichment agent started by `make run` (countersign demo-agent)."
		// it rewrites contact emails, personal data that only a scope naming it may read
		scopes := append(agents.DefaultScopes(), agents.Scope{Object: "contacts", Field: "email", Operations: []string{"set"}})
		if a, err = svc.Create(ctx, actor, agents.Input{Name: &name, Description: &desc, Scopes: &scopes}); err != nil {
			return "", err
		}
	}
	key, secret, err := svc.CreateKey(ctx, actor, a.ID, "demo-agent "+time.Now().UTC().Format(time.RFC3339))
	if err != nil {
		return "", err
	}
	// the keys of earlier runs are of no more use: revoke them rather than let them pile up
	if a, err = svc.Get(ctx, t.ID, a.ID); err != nil {
		return "", err
	}
	for _, k := range a.Keys {
		if k.ID != key.ID && k.RevokedAt == nil && strings.HasPrefix(k.Name, "demo-agent ") {
			if err := svc.RevokeKey(ctx, actor, a.ID, k.ID); err != nil {
				return "", err
			}
		}
	}
	return secret, nil
}
