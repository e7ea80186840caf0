package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"countersign/backend/internal/changelog"
	"countersign/backend/internal/platform/clock"
	"countersign/backend/internal/platform/config"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/tenancy"
)

// errBadChain makes verify-log exit 1 once it has said where the chain breaks.
var errBadChain = errors.New("the change log does not verify")

// runVerifyLog is `countersign verify-log [--tenant SLUG]`: it walks each
// tenant's change log chain (or one tenant's) and prints `verified <n>
// events`, or `first bad seq=<n> tenant=<slug>` and the problem, and fails.
func runVerifyLog(ctx context.Context, cfg config.Config, d *db.DB, args []string, out, errOut io.Writer) error {
	fs := flag.NewFlagSet("verify-log", flag.ContinueOnError)
	slug := fs.String("tenant", "", "verify only this tenant's chain (slug)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	tenants := tenancy.NewStore(d)
	var ids []string
	if *slug != "" {
		t, err := tenants.TenantBySlug(ctx, *slug)
		if db.NotFound(err) {
			return fmt.Errorf("no tenant %q", *slug)
		} else if err != nil {
			return err
		}
		ids = []string{t.ID}
	} else if err := d.ForEachTenant(ctx, func(_ context.Context, id string) error { ids = append(ids, id); return nil }); err != nil {
		return err
	}
	log := changelog.New(changelog.Deps{DB: d, Clock: clock.System{}, Signer: changelog.NewSigner(cfg.SecretKey)})
	var total int64
	for _, id := range ids {
		ctx := db.WithTenant(ctx, id)
		v, err := log.Verify(ctx, id)
		if err != nil {
			return err
		}
		if v.FirstBad != nil {
			t, err := tenants.TenantByID(ctx, id)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "first bad seq=%d tenant=%s\n", *v.FirstBad, t.Slug)
			fmt.Fprintf(errOut, "seq %d of %s: %s\n", *v.FirstBad, t.Slug, v.Problem)
			return errBadChain
		}
		if v.Checkpoint != nil && !v.Checkpoint.Valid {
			return fmt.Errorf("the checkpoint at seq %d does not verify with this key", v.Checkpoint.Seq)
		}
		total += v.Events
	}
	fmt.Fprintf(out, "verified %d events\n", total)
	return nil
}
