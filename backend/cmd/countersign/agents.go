package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"countersign/backend/internal/agents"
	"countersign/backend/internal/audit"
	"countersign/backend/internal/platform/clock"
	"countersign/backend/internal/platform/config"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/principal"
	"countersign/backend/internal/tenancy"
)

// runAgents is `countersign agents create|create-key`, for scripts and bootstrapping.
func runAgents(ctx context.Context, cfg config.Config, d *db.DB, log *slog.Logger, args []string, out io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: countersign agents create --tenant SLUG --name NAME [--connection ID] [--description TEXT]\n" +
			"       countersign agents create-key --tenant SLUG --agent NAME [--name KEYNAME]")
	}
	fs := flag.NewFlagSet("agents "+args[0], flag.ContinueOnError)
	tenant := fs.String("tenant", "", "tenant slug (required)")
	name := fs.String("name", "", "agent name (create) or key name (create-key)")
	agentName := fs.String("agent", "", "agent name (create-key)")
	connection := fs.String("connection", "", "connection id (default: the tenant's only connection)")
	description := fs.String("description", "", "what the agent does")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *tenant == "" {
		return errors.New("--tenant is required")
	}
	t, err := tenancy.NewStore(d).TenantBySlug(ctx, *tenant)
	if db.NotFound(err) {
		return fmt.Errorf("no tenant %q", *tenant)
	} else if err != nil {
		return err
	}
	ctx = db.WithTenant(ctx, t.ID) // the CLI acts in that tenant
	cat, err := newCatalog(cfg, d, log)
	if err != nil {
		return err
	}
	svc := agents.NewService(agents.Deps{DB: d, Catalog: cat, Audit: audit.New(d), Clock: clock.System{}})
	actor := principal.Principal{TenantID: t.ID, Email: "cli"}
	switch args[0] {
	case "create":
		in := agents.Input{Name: name, Description: description}
		if *connection != "" {
			in.ConnectionID = connection
		}
		a, err := svc.Create(ctx, actor, in)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "created agent %s (%s) on connection %s\n", a.Name, a.ID, a.ConnectionName)
		return nil
	case "create-key":
		a, err := svc.ByName(ctx, t.ID, *agentName)
		if err != nil {
			return err
		}
		_, secret, err := svc.CreateKey(ctx, actor, a.ID, *name)
		if err != nil {
			return err
		}
		fmt.Fprintln(out, secret)
		return nil
	}
	return fmt.Errorf("unknown agents command %q (create, create-key)", args[0])
}
