package review

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/principal"
	"countersign/backend/internal/platform/problem"
	"countersign/backend/internal/platform/ptr"
)

// defaultQueues are a new tenant's queues, first match first (migration
// 00009 gives the same to the tenants that existed before it).
var defaultQueues = []Queue{
	{Name: "PII and identifiers", AllowedRoles: []string{"admin", "reviewer"}, Match: Match{Tags: []string{"pii", "identifier", "consent"}}, AcceptsNew: true},
	{Name: "Pipeline changes", AllowedRoles: []string{"admin", "reviewer"}, Match: Match{Tags: []string{"pipeline", "forecast", "commission"}}, AcceptsNew: true},
	{Name: "Everything else", AllowedRoles: []string{"admin", "reviewer"}, AcceptsNew: true},
	{Name: "Escalations", AllowedRoles: []string{"admin"}, AcceptsNew: false},
}

var defaultReasons = []ReasonCode{
	{Code: "wrong_value", Label: "Wrong value"}, {Code: "stale_source", Label: "Stale source"},
	{Code: "weak_evidence", Label: "Weak evidence"}, {Code: "policy", Label: "Against policy"},
	{Code: "duplicate", Label: "Duplicate"}, {Code: "other", Label: "Other"},
}

// seeded remembers the tenants known to have their queues (a tenant never
// loses them: the last queue cannot be deleted).
var seeded sync.Map

// ensureDefaults gives a tenant with no queues the default queues and reason
// codes, once (concurrent callers serialize on the tenant's advisory lock).
// It commits on its own, not in the caller's transaction: were that rolled
// back (intake retries a batch whose idempotency key a concurrent request
// took), the queues remembered here would not exist.
func (s *Service) ensureDefaults(ctx context.Context, tenantID string) error {
	if _, ok := seeded.Load(tenantID); ok {
		return nil
	}
	ctx = db.WithTenant(context.WithoutCancel(ctx), tenantID)
	err := s.db.InTx(db.Detached(ctx), func(ctx context.Context) error {
		conn := s.db.Conn(ctx)
		if err := conn.Exec(`SELECT pg_advisory_xact_lock(?, hashtext(?))`, queueLockClass, tenantID).Error; err != nil {
			return err
		}
		var n int64
		if err := conn.Raw(`SELECT count(*) FROM review_queues WHERE tenant_id = ?`, tenantID).Scan(&n).Error; err != nil || n > 0 {
			return err
		}
		now := s.clock.Now()
		var escalations string
		for i := len(defaultQueues) - 1; i >= 0; i-- { // the escalation queue first: the others point at it
			q := defaultQueues[i]
			q.Position, q.SLAMinutes, q.ExpireAfterDoubleSLA = i+1, DefaultSLA, true
			if q.AcceptsNew {
				q.EscalateTo = &escalations
			}
			id, err := s.insertQueue(ctx, tenantID, q, now)
			if err != nil {
				return err
			}
			if !q.AcceptsNew {
				escalations = id
			}
		}
		for i, r := range defaultReasons {
			if err := conn.Exec(`INSERT INTO review_reason_codes (tenant_id, code, label, position) VALUES (?, ?, ?, ?)
				ON CONFLICT DO NOTHING`, tenantID, r.Code, r.Label, i+1).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		seeded.Store(tenantID, true)
	}
	return err
}

// queueLockClass namespaces the queue set-up locks among advisory locks.
const queueLockClass = 0x43530002

func (s *Service) insertQueue(ctx context.Context, tenantID string, q Queue, now time.Time) (string, error) {
	m, _ := json.Marshal(q.Match)
	sla, _ := json.Marshal(q.SLAMinutes)
	var id string
	err := s.db.Conn(ctx).Raw(`INSERT INTO review_queues (tenant_id, name, position, allowed_roles, match, accepts_new, sla_minutes,
		escalate_to, expire_after_double_sla, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?::jsonb, ?, ?::jsonb, NULLIF(?, '')::uuid, ?, ?, ?) RETURNING id`,
		tenantID, q.Name, q.Position, pgArray(q.AllowedRoles), string(m), q.AcceptsNew, string(sla), ptr.Deref(q.EscalateTo),
		q.ExpireAfterDoubleSLA, now, now).Scan(&id).Error
	if db.Duplicate(err) {
		return "", problem.InvalidField("name", "another queue already has this name")
	}
	return id, err
}

type queueRow struct {
	ID, Name             string
	Position             int
	AllowedRoles         string
	Match                string
	AcceptsNew           bool
	SLAMinutes           string
	EscalateTo           *string
	ExpireAfterDoubleSLA bool
	CreatedAt, UpdatedAt time.Time
}

func (r queueRow) queue() (Queue, error) {
	q := Queue{ID: r.ID, Name: r.Name, Position: r.Position, AllowedRoles: parseArray(r.AllowedRoles), AcceptsNew: r.AcceptsNew,
		EscalateTo: r.EscalateTo, ExpireAfterDoubleSLA: r.ExpireAfterDoubleSLA, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if err := json.Unmarshal([]byte(r.Match), &q.Match); err != nil {
		return q, fmt.Errorf("queue %s: match: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(r.SLAMinutes), &q.SLAMinutes); err != nil {
		return q, fmt.Errorf("queue %s: sla: %w", r.ID, err)
	}
	return q, nil
}

// Ready makes sure the tenant has its queues. Intake calls it before its
// transaction: creating them takes a connection of its own, which a
// transaction holding one should not wait for.
func (s *Service) Ready(ctx context.Context, tenantID string) error {
	return s.ensureDefaults(ctx, tenantID)
}

// Queues lists the tenant's queues in match order.
func (s *Service) Queues(ctx context.Context, tenantID string) ([]Queue, error) {
	if err := s.ensureDefaults(ctx, tenantID); err != nil {
		return nil, err
	}
	return s.queues(ctx, tenantID)
}

func (s *Service) readQueues(ctx context.Context, tenantID string) ([]Queue, error) {
	var rows []queueRow
	if err := s.db.Conn(ctx).Raw(`SELECT id, name, position, allowed_roles::text AS allowed_roles, match::text AS match, accepts_new,
		sla_minutes::text AS sla_minutes, escalate_to, expire_after_double_sla, created_at, updated_at
		FROM review_queues WHERE tenant_id = ? ORDER BY position, name`, tenantID).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Queue, len(rows))
	for i, r := range rows {
		q, err := r.queue()
		if err != nil {
			return nil, err
		}
		out[i] = q
	}
	return out, nil
}

// QueueInput is an admin's queue settings; nil leaves a setting as it is (on create: the default).
type QueueInput struct {
	Name                 *string
	Position             *int
	AllowedRoles         *[]string
	Match                *Match
	AcceptsNew           *bool
	SLAMinutes           *map[string]int
	EscalateTo           *string // "" for none
	ExpireAfterDoubleSLA *bool
}

var roles = []string{"admin", "reviewer", "compliance", "viewer"}
var sensitivities = []string{"critical", "high", "medium", "low"}

func (in QueueInput) apply(q *Queue, others []Queue) error {
	var errs []problem.FieldError
	bad := func(field, format string, args ...any) {
		errs = append(errs, problem.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if in.Name != nil {
		q.Name = strings.TrimSpace(*in.Name)
	}
	if n := len([]rune(q.Name)); n < 1 || n > 80 {
		bad("name", "must be 1 to 80 characters")
	}
	if in.Position != nil {
		q.Position = *in.Position
	}
	if q.Position < 1 || q.Position > 1000 {
		bad("position", "must be between 1 and 1000")
	}
	if in.AllowedRoles != nil {
		q.AllowedRoles = *in.AllowedRoles
	}
	if len(q.AllowedRoles) == 0 {
		bad("allowed_roles", "name at least one role (%s)", strings.Join(roles, ", "))
	}
	for i, r := range q.AllowedRoles {
		if !slices.Contains(roles, r) {
			bad(fmt.Sprintf("allowed_roles[%d]", i), "%q is not a role (%s)", r, strings.Join(roles, ", "))
		}
	}
	if in.Match != nil {
		q.Match = *in.Match
	}
	for i, v := range q.Match.Sensitivities {
		if !slices.Contains(sensitivities, v) {
			bad(fmt.Sprintf("match.sensitivities[%d]", i), "%q is not a sensitivity (%s)", v, strings.Join(sensitivities, ", "))
		}
	}
	for i, v := range q.Match.Routes {
		if v != "review" && v != "two_person" {
			bad(fmt.Sprintf("match.routes[%d]", i), "%q is not a reviewed route (review, two_person)", v)
		}
	}
	for i, v := range q.Match.Agents {
		if !db.IsUUID(v) {
			bad(fmt.Sprintf("match.agents[%d]", i), "%q is not an agent id", v)
		}
	}
	if in.AcceptsNew != nil {
		q.AcceptsNew = *in.AcceptsNew
	}
	if in.SLAMinutes != nil {
		for k, v := range *in.SLAMinutes {
			if !slices.Contains(sensitivities, k) {
				bad("sla_minutes."+k, "is not a sensitivity (%s)", strings.Join(sensitivities, ", "))
			} else if v < 1 || v > 60*24*30 {
				bad("sla_minutes."+k, "must be between 1 minute and 30 days (43200)")
			}
		}
		q.SLAMinutes = map[string]int{}
		for _, k := range sensitivities {
			q.SLAMinutes[k] = cmpOr((*in.SLAMinutes)[k], DefaultSLA[k])
		}
	}
	if q.SLAMinutes == nil {
		q.SLAMinutes = DefaultSLA
	}
	if in.EscalateTo != nil {
		q.EscalateTo = nil
		if *in.EscalateTo != "" {
			q.EscalateTo = in.EscalateTo
		}
	}
	if q.EscalateTo != nil {
		switch i := slices.IndexFunc(others, func(o Queue) bool { return o.ID == *q.EscalateTo }); {
		case *q.EscalateTo == q.ID:
			bad("escalate_to", "a queue cannot escalate to itself")
		case i < 0:
			bad("escalate_to", "is not a queue of this workspace")
		}
	}
	if in.ExpireAfterDoubleSLA != nil {
		q.ExpireAfterDoubleSLA = *in.ExpireAfterDoubleSLA
	}
	if len(errs) > 0 {
		return problem.Invalid(errs...)
	}
	return nil
}

// CreateQueue adds a queue (admin).
func (s *Service) CreateQueue(ctx context.Context, actor principal.Principal, in QueueInput) (Queue, error) {
	others, err := s.Queues(ctx, actor.TenantID)
	if err != nil {
		return Queue{}, err
	}
	q := Queue{AcceptsNew: true, ExpireAfterDoubleSLA: true, AllowedRoles: []string{"admin", "reviewer"}, Position: len(others) + 1}
	if err := in.apply(&q, others); err != nil {
		return Queue{}, err
	}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		id, err := s.insertQueue(ctx, actor.TenantID, q, s.clock.Now())
		q.ID = id
		if err != nil {
			return err
		}
		return s.audit(ctx, actor, "review.queue_created", q.Name, map[string]any{"queue_id": id})
	})
	s.queueCache.Delete(actor.TenantID)
	if err != nil {
		return Queue{}, err
	}
	return s.queue(ctx, actor.TenantID, q.ID)
}

// UpdateQueue changes a queue's settings (admin). Items already waiting keep
// their deadlines; new items get the new SLA.
func (s *Service) UpdateQueue(ctx context.Context, actor principal.Principal, id string, in QueueInput) (Queue, error) {
	others, err := s.Queues(ctx, actor.TenantID)
	if err != nil {
		return Queue{}, err
	}
	i := slices.IndexFunc(others, func(o Queue) bool { return o.ID == id })
	if i < 0 {
		return Queue{}, problem.NotFound("queue")
	}
	q := others[i]
	if err := in.apply(&q, others); err != nil {
		return Queue{}, err
	}
	if q.EscalateTo != nil && escalationLoop(others, q) {
		return Queue{}, problem.InvalidField("escalate_to", "would make escalations go round in a circle")
	}
	m, _ := json.Marshal(q.Match)
	sla, _ := json.Marshal(q.SLAMinutes)
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		err := s.db.Conn(ctx).Exec(`UPDATE review_queues SET name = ?, position = ?, allowed_roles = ?, match = ?::jsonb, accepts_new = ?,
			sla_minutes = ?::jsonb, escalate_to = NULLIF(?, '')::uuid, expire_after_double_sla = ?, updated_at = ?
			WHERE tenant_id = ? AND id = ?`, q.Name, q.Position, pgArray(q.AllowedRoles), string(m), q.AcceptsNew, string(sla),
			ptr.Deref(q.EscalateTo), q.ExpireAfterDoubleSLA, s.clock.Now(), actor.TenantID, id).Error
		if db.Duplicate(err) {
			return problem.InvalidField("name", "another queue already has this name")
		} else if err != nil {
			return err
		}
		return s.audit(ctx, actor, "review.queue_updated", q.Name, map[string]any{"queue_id": id})
	})
	s.queueCache.Delete(actor.TenantID)
	if err != nil {
		return Queue{}, err
	}
	return s.queue(ctx, actor.TenantID, id)
}

func escalationLoop(qs []Queue, changed Queue) bool {
	next := map[string]string{}
	for _, q := range qs {
		if q.EscalateTo != nil {
			next[q.ID] = *q.EscalateTo
		}
	}
	next[changed.ID] = ptr.Deref(changed.EscalateTo)
	seen := map[string]bool{}
	for at := changed.ID; at != ""; at = next[at] {
		if seen[at] {
			return true
		}
		seen[at] = true
	}
	return false
}

func (s *Service) queue(ctx context.Context, tenantID, id string) (Queue, error) {
	qs, err := s.readQueues(ctx, tenantID)
	if err != nil {
		return Queue{}, err
	}
	for _, q := range qs {
		if q.ID == id {
			return q, nil
		}
	}
	return Queue{}, problem.NotFound("queue")
}

// ReasonCodes lists the tenant's rejection reasons (archived ones too, last).
func (s *Service) ReasonCodes(ctx context.Context, tenantID string) ([]ReasonCode, error) {
	if err := s.ensureDefaults(ctx, tenantID); err != nil {
		return nil, err
	}
	var out []ReasonCode
	err := s.db.Conn(ctx).Raw(`SELECT code, label, position, archived FROM review_reason_codes WHERE tenant_id = ?
		ORDER BY archived, position, code`, tenantID).Scan(&out).Error
	return out, err
}

// SetReasonCodes replaces the tenant's list (admin): codes no longer listed
// are archived, never deleted (decisions name them).
func (s *Service) SetReasonCodes(ctx context.Context, actor principal.Principal, codes []ReasonCode) ([]ReasonCode, error) {
	var errs []problem.FieldError
	seen := map[string]bool{}
	for i, c := range codes {
		if !reasonCodeRE(c.Code) {
			errs = append(errs, problem.FieldError{Field: fmt.Sprintf("reason_codes[%d].code", i),
				Message: "must be 1 to 40 lower-case letters, digits or _, starting with a letter"})
		} else if seen[c.Code] {
			errs = append(errs, problem.FieldError{Field: fmt.Sprintf("reason_codes[%d].code", i), Message: "is listed twice"})
		}
		seen[c.Code] = true
		if n := len([]rune(strings.TrimSpace(c.Label))); n < 1 || n > 80 {
			errs = append(errs, problem.FieldError{Field: fmt.Sprintf("reason_codes[%d].label", i), Message: "must be 1 to 80 characters"})
		}
	}
	if len(codes) == 0 {
		errs = append(errs, problem.FieldError{Field: "reason_codes", Message: "keep at least one reason"})
	}
	if len(errs) > 0 {
		return nil, problem.Invalid(errs...)
	}
	if _, err := s.ReasonCodes(ctx, actor.TenantID); err != nil {
		return nil, err
	}
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		conn := s.db.Conn(ctx)
		if err := conn.Exec(`UPDATE review_reason_codes SET archived = true WHERE tenant_id = ?`, actor.TenantID).Error; err != nil {
			return err
		}
		for i, c := range codes {
			if err := conn.Exec(`INSERT INTO review_reason_codes (tenant_id, code, label, position) VALUES (?, ?, ?, ?)
				ON CONFLICT (tenant_id, code) DO UPDATE SET label = EXCLUDED.label, position = EXCLUDED.position, archived = false`,
				actor.TenantID, c.Code, strings.TrimSpace(c.Label), i+1).Error; err != nil {
				return err
			}
		}
		return s.audit(ctx, actor, "review.reason_codes_updated", "", map[string]any{"codes": len(codes)})
	})
	if err != nil {
		return nil, err
	}
	return s.ReasonCodes(ctx, actor.TenantID)
}

func reasonCodeRE(c string) bool {
	if len(c) < 1 || len(c) > 40 || c[0] < 'a' || c[0] > 'z' {
		return false
	}
	for _, r := range c {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// pgArray writes a text[] literal.
func pgArray(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
	}
	return "{" + strings.Join(q, ",") + "}"
}

// parseArray reads a text[] of simple words (roles, uuids).
func parseArray(s string) []string {
	s = strings.Trim(s, "{}")
	if s == "" {
		return []string{}
	}
	out := strings.Split(s, ",")
	for i := range out {
		out[i] = strings.Trim(out[i], `"`)
	}
	return out
}

func cmpOr(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}
