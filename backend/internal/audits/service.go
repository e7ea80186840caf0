package audits

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	"countersign/backend/internal/audit"
	"countersign/backend/internal/changelog"
	"countersign/backend/internal/platform/clock"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/principal"
	"countersign/backend/internal/platform/problem"
)

// Admin audit trail actions.
const (
	ActionSampled = "audit.sampled"
	ActionMarked  = "audit.item_marked"
	ActionClosed  = "audit.closed"
)

// Deps are what the service stands on.
type Deps struct {
	DB      *db.DB
	Clock   clock.Clock
	Audit   *audit.Log
	Changes *changelog.Service // an incorrect finding is a correction of the change
}

// Service draws, marks and closes sample audits.
type Service struct {
	db      *db.DB
	store   *store
	clock   clock.Clock
	audit   *audit.Log
	changes *changelog.Service
}

// New returns the audits service.
func New(d Deps) *Service {
	return &Service{db: d.DB, store: &store{db: d.DB}, clock: d.Clock, audit: d.Audit, changes: d.Changes}
}

// Input draws an audit: the period [Since, Until), the rate in basis points
// and, optionally, the seed.
type Input struct {
	Since, Until time.Time
	RateBps      int
	Seed         *int64
}

// Mark is a finding on one sampled change.
type Mark struct {
	Verdict, Note string
}

// Create draws the sample of the period's applied changes and stores it as
// an audit worksheet, in one transaction.
func (s *Service) Create(ctx context.Context, actor principal.Principal, in Input) (Detail, error) {
	var f problem.Fields
	if in.RateBps < MinRateBps || in.RateBps > MaxRateBps {
		f.Add("rate_bps", "must be between %d and %d basis points (0.5 %% to 2 %%)", MinRateBps, MaxRateBps)
	}
	if in.Since.IsZero() || in.Until.IsZero() || !in.Until.After(in.Since) {
		f.Add("period.until", "must be after period.since: the period is empty")
	}
	if in.Seed != nil && (*in.Seed < 0 || *in.Seed > maxSeed) {
		f.Add("seed", "must be between 0 and %d (a number a browser shows exactly)", int64(maxSeed))
	}
	if err := f.Err(); err != nil {
		return Detail{}, err
	}
	seed := newSeed()
	if in.Seed != nil {
		seed = *in.Seed
	}
	a := Audit{TenantID: actor.TenantID, Since: in.Since, Until: in.Until, RateBps: in.RateBps, Seed: seed, CreatedAt: s.clock.Now()}
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		population, err := s.store.population(ctx, actor.TenantID, in.Since, in.Until)
		if err != nil {
			return err
		}
		strata, picks := Sample(seed, in.RateBps, population)
		a.Population, a.Strata = len(population), strata
		if err := s.store.create(ctx, &a, picks, actor.UserID); err != nil {
			return err
		}
		return s.record(ctx, actor, ActionSampled, a.ID, map[string]any{"since": a.Since, "until": a.Until, "rate_bps": a.RateBps,
			"seed": a.Seed, "population": a.Population, "sampled": len(picks)})
	})
	if err != nil {
		return Detail{}, err
	}
	return s.Get(ctx, actor.TenantID, a.ID)
}

// List returns the tenant's audits, newest first.
func (s *Service) List(ctx context.Context, tenantID string) ([]Audit, error) {
	return s.store.list(ctx, tenantID, "")
}

// Get returns an audit and its worksheet.
func (s *Service) Get(ctx context.Context, tenantID, id string) (Detail, error) {
	if !db.IsUUID(id) {
		return Detail{}, problem.NotFound("audit")
	}
	as, err := s.store.list(ctx, tenantID, id)
	if err != nil {
		return Detail{}, err
	}
	if len(as) == 0 {
		return Detail{}, problem.NotFound("audit")
	}
	d := Detail{Audit: as[0]}
	d.Items, err = s.store.items(ctx, tenantID, id, 0)
	return d, err
}

func checkMark(m Mark) (Mark, error) {
	m.Note = strings.TrimSpace(m.Note)
	if m.Verdict != VerdictCorrect && m.Verdict != VerdictIncorrect {
		return m, problem.InvalidField("verdict", "must be correct or incorrect")
	}
	if len([]rune(m.Note)) > MaxNote {
		return m, problem.InvalidField("note", "must be at most %d characters", MaxNote)
	}
	if m.Verdict == VerdictIncorrect && m.Note == "" {
		return m, problem.InvalidField("note", "say what is wrong: an incorrect finding needs a note")
	}
	return m, nil
}

// MarkItem records a finding on a sampled change of an open audit; marking
// again before the audit is closed replaces the finding.
func (s *Service) MarkItem(ctx context.Context, actor principal.Principal, auditID string, seq int64, in Mark) (Item, error) {
	m, err := checkMark(in)
	if err != nil {
		return Item{}, err
	}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		closed, err := s.store.lock(ctx, actor.TenantID, auditID)
		if err != nil {
			return err
		}
		if closed {
			return problem.Conflict("audit_closed", "The audit is closed: its findings are final.")
		}
		found, err := s.store.mark(ctx, actor.TenantID, auditID, seq, m.Verdict, m.Note, actor.UserID, s.clock.Now())
		if err != nil {
			return err
		}
		if !found {
			return problem.NotFound("audit item")
		}
		return s.record(ctx, actor, ActionMarked, auditID, map[string]any{"change_seq": seq, "verdict": m.Verdict, "note": m.Note})
	})
	if err != nil {
		return Item{}, err
	}
	items, err := s.store.items(ctx, actor.TenantID, auditID, seq)
	if err != nil {
		return Item{}, err
	}
	if len(items) == 0 {
		return Item{}, problem.NotFound("audit item")
	}
	return items[0], nil
}

// Close closes an audit whose every item is marked; in the same
// transaction each incorrect finding becomes a correction of its change.
func (s *Service) Close(ctx context.Context, actor principal.Principal, auditID string) (Detail, error) {
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		closed, err := s.store.lock(ctx, actor.TenantID, auditID)
		if err != nil {
			return err
		}
		if closed {
			return problem.Conflict("audit_closed", "The audit is already closed.")
		}
		total, open, err := s.store.counts(ctx, actor.TenantID, auditID)
		if err != nil {
			return err
		}
		if open > 0 {
			return problem.Conflict("audit_open_items", fmt.Sprintf("%d of the %d sampled changes are not marked yet: mark each one before closing.",
				open, total))
		}
		name := actor.Name
		if name == "" {
			name = actor.Email
		}
		now := s.clock.Now()
		findings, err := s.store.close(ctx, actor.TenantID, auditID, actor.UserID, now)
		if err != nil {
			return err
		}
		corrections, err := s.changes.RecordAuditFindings(ctx, actor.TenantID, actor.UserID, name, now, findings)
		if err != nil {
			return err
		}
		return s.record(ctx, actor, ActionClosed, auditID, map[string]any{"sampled": total, "corrections": corrections})
	})
	if err != nil {
		return Detail{}, err
	}
	return s.Get(ctx, actor.TenantID, auditID)
}

func (s *Service) record(ctx context.Context, actor principal.Principal, action, target string, detail map[string]any) error {
	return s.audit.Record(ctx, audit.Entry{TenantID: actor.TenantID, At: s.clock.Now(), ActorUserID: actor.UserID,
		ActorEmail: actor.Email, Action: action, Target: target, Detail: detail, IP: actor.IP})
}

// maxSeed is the largest seed: 2^53 − 1, the largest whole number
// JavaScript holds exactly, so the seed the console shows is the seed.
const maxSeed = 1<<53 - 1

// newSeed draws a random seed in 1 … maxSeed.
func newSeed() int64 {
	var b [8]byte
	for {
		if _, err := rand.Read(b[:]); err != nil {
			panic(err)
		}
		if s := int64(binary.BigEndian.Uint64(b[:]) & maxSeed); s > 0 {
			return s
		}
	}
}
