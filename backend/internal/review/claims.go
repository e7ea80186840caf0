package review

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"countersign/backend/internal/crm"
	"countersign/backend/internal/fieldvalue"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/principal"
	"countersign/backend/internal/platform/problem"
)

// Claim leases up to count items to the reviewer (default 10, at most 20):
// the ones they already hold, renewed, then the first free ones by rank from
// the queues their roles may work (or from queueID alone). Rows are taken
// with FOR UPDATE SKIP LOCKED, so two reviewers, on one app copy or two,
// never hold the same item.
func (s *Service) Claim(ctx context.Context, actor principal.Principal, queueID string, count int) ([]Item, time.Time, error) {
	if count == 0 {
		count = 10
	}
	if count < 1 || count > 20 {
		return nil, time.Time{}, problem.InvalidField("count", "must be between 1 and 20")
	}
	qs, err := s.claimable(ctx, actor)
	if err != nil {
		return nil, time.Time{}, err
	}
	ids := make([]string, 0, len(qs))
	for _, q := range qs {
		if queueID == "" || q.ID == queueID {
			ids = append(ids, q.ID)
		}
	}
	if queueID != "" && len(ids) == 0 {
		if !db.IsUUID(queueID) {
			return nil, time.Time{}, problem.InvalidField("queue_id", "is not a queue id")
		}
		return nil, time.Time{}, problem.Forbidden("queue_not_allowed", "Your roles may not work this queue, or it does not exist.")
	}
	now := s.clock.Now()
	lease := now.Add(LeaseTTL)
	rows, err := s.claim(ctx, actor, ids, count, now, lease)
	if err != nil {
		return nil, time.Time{}, err
	}
	items := make([]Item, len(rows))
	for i, r := range rows {
		r.ClaimedBy, r.LeaseExpiresAt = &actor.UserID, &lease
		if items[i], err = r.item(now); err != nil {
			return nil, time.Time{}, err
		}
	}
	return items, lease, nil
}

// claim runs claimSQL[count] in one round trip (db.Batch: it commits at
// once, and declares ctx's tenant in the same trip: with one pool serving
// every tenant, more than half of bench-review's claims otherwise waited for
// a round trip that declared it first).
//
// The claim also uses its generic plan from its first run on a connection:
// the plan does not depend on the values (the rank index walked from the
// tenant's head), and by default PostgreSQL plans a statement five times
// with its values first, here 2-4 ms each, the slowest claims of a fresh
// connection.
func (s *Service) claim(ctx context.Context, actor principal.Principal, queueIDs []string, count int, now, lease time.Time) ([]itemRow, error) {
	var rows []itemRow
	err := s.db.Batch(ctx, func(b *pgx.Batch) {
		b.Queue(`SELECT set_config('plan_cache_mode', 'force_generic_plan', true)`)
		b.Queue(claimSQL[count], actor.TenantID, actor.UserID, queueIDs, now, lease).Query(func(res pgx.Rows) error {
			var err error
			rows, err = pgx.CollectRows(res, pgx.RowToStructByName[itemRow])
			return err
		})
	})
	return rows, err
}

// claimSQL[n] claims a batch of n in one statement (atomic on its own):
// what the reviewer holds already is renewed, the first free items by rank
// fill the batch, and the batch is read as reviewers see it. $1 is the
// tenant, $2 the reviewer, $3 the queues, $4 now, $5 the new lease's end.
//
//   - The free items are picked with n as a constant, so the plan walks the
//     partial rank index (tenant, rank_at, id WHERE pending), which is the
//     ORDER BY, and stops once it has locked n rows: as many as the batch can
//     take, and no more (it was 20 whatever the batch, each lock a heap page
//     written, and rows a concurrent claim had to pass by).
//   - An item row is locked while its claim is written (SKIP LOCKED: a
//     concurrent claim passes it by), and a claim is taken over only when its
//     lease has passed, so an item another claim took after this statement's
//     snapshot is never taken twice: it is left out of the batch.
//   - The batch is read from the rows the statement locked or renewed, not
//     looked up again by key.
var claimSQL = func() (q [21]string) {
	// (the claims this statement writes or renews are not in its snapshot:
	// Claim sets claimed_by and lease_expires_at)
	read := `SELECT ` + itemColumns + `, NULL::uuid AS claimed_by, NULL::timestamptz AS lease_expires_at
		FROM batch i` + itemJoins + `
		WHERE i.tenant_id = $1 ORDER BY i.rank_at, i.id`
	for n := 1; n < len(q); n++ {
		q[n] = fmt.Sprintf(`
		WITH held AS (
		  UPDATE review_claims c SET lease_expires_at = $5
		  FROM review_items i
		  WHERE c.tenant_id = $1 AND c.user_id = $2 AND c.lease_expires_at > $4
		    AND i.tenant_id = c.tenant_id AND i.id = c.item_id AND i.state = 'pending' AND i.queue_id = ANY ($3::uuid[])
		  RETURNING i.*
		), pick AS (
		  SELECT i.* FROM review_items i
		  WHERE i.tenant_id = $1 AND i.state = 'pending' AND i.queue_id = ANY ($3::uuid[])
		    AND NOT EXISTS (SELECT 1 FROM review_claims c WHERE c.tenant_id = i.tenant_id AND c.item_id = i.id AND c.lease_expires_at > $4)
		    AND NOT ($2::uuid = ANY (i.approved_by)) AND NOT ($2::uuid = ANY (i.skipped_by))
		    AND i.agent_owner IS DISTINCT FROM $2::uuid
		  ORDER BY i.rank_at, i.id
		  LIMIT %[1]d
		  FOR UPDATE OF i SKIP LOCKED
		), free AS (
		  INSERT INTO review_claims (tenant_id, item_id, user_id, lease_expires_at, claimed_at)
		  SELECT $1, id, $2, $5, $4 FROM (
		    SELECT id FROM pick ORDER BY rank_at, id LIMIT GREATEST(%[1]d - (SELECT count(*) FROM held), 0)) x
		  ON CONFLICT (tenant_id, item_id) DO UPDATE
		    SET user_id = EXCLUDED.user_id, lease_expires_at = EXCLUDED.lease_expires_at, claimed_at = EXCLUDED.claimed_at
		    WHERE review_claims.lease_expires_at <= EXCLUDED.claimed_at
		  RETURNING item_id
		), batch AS (SELECT * FROM held UNION ALL SELECT pick.* FROM pick JOIN free ON free.item_id = pick.id)
		%s`, n, read)
	}
	return q
}()

// Release gives back the reviewer's claims (all, or the items named).
func (s *Service) Release(ctx context.Context, actor principal.Principal, itemIDs []string) (int, error) {
	for i, id := range itemIDs {
		if !db.IsUUID(id) {
			return 0, problem.InvalidField(fmt.Sprintf("item_ids[%d]", i), "is not an item id")
		}
	}
	res := s.db.Conn(ctx).Exec(`DELETE FROM review_claims WHERE tenant_id = ? AND user_id = ? AND lease_expires_at > ?
		AND (? OR item_id = ANY (?::uuid[]))`, actor.TenantID, actor.UserID, s.clock.Now(), len(itemIDs) == 0, pgArray(itemIDs))
	return int(res.RowsAffected), res.Error
}

// renew extends the reviewer's live leases once half their time has gone:
// they are working.
func (s *Service) renew(ctx context.Context, actor principal.Principal, now time.Time) error {
	return s.db.Conn(ctx).Exec(`UPDATE review_claims SET lease_expires_at = ?
		WHERE tenant_id = ? AND user_id = ? AND lease_expires_at > ? AND lease_expires_at < ?`,
		now.Add(LeaseTTL), actor.TenantID, actor.UserID, now, now.Add(LeaseTTL/2)).Error
}

// unclaim ends an item's claim (it was decided, escalated, skipped, closed).
func (s *Service) unclaim(ctx context.Context, tenantID string, itemIDs ...string) error {
	return s.db.Conn(ctx).Exec(`DELETE FROM review_claims WHERE tenant_id = ? AND item_id = ANY (?::uuid[])`, tenantID, pgArray(itemIDs)).Error
}

// Held lists what the reviewer holds now, in rank order.
func (s *Service) Held(ctx context.Context, actor principal.Principal) ([]Item, error) {
	var ids []string
	if err := s.db.Conn(ctx).Raw(`SELECT item_id FROM review_claims WHERE tenant_id = ? AND user_id = ? AND lease_expires_at > ?`,
		actor.TenantID, actor.UserID, s.clock.Now()).Scan(&ids).Error; err != nil {
		return nil, err
	}
	items, err := s.items(ctx, actor.TenantID, ids)
	return slices.DeleteFunc(items, func(it Item) bool { return it.State != "pending" }), err
}

type itemRow struct {
	ID, ProposalID, QueueID, QueueName, AgentID, AgentName, ConnectionID, Provider string
	Object, RecordID, Field, Operation                                             string
	FieldID                                                                        *string
	ExpectedOld, Proposed                                                          *string
	Confidence                                                                     float64
	Rationale, Evidence, Flags, Reasons, Route, Sensitivity                        string
	ApprovalsRequired                                                              int
	ApprovedBy                                                                     string
	State                                                                          string
	CreatedAt, DueAt                                                               time.Time
	Why                                                                            string
	ClaimedBy                                                                      *string
	LeaseExpiresAt, EscalatedAt, DecidedAt                                         *time.Time
}

// itemColumns are an item as reviewers see it, but for its claim: the
// columns of a review_items row i, its proposal p, agent a, the agent's
// connection c and queue q (itemJoins).
const itemColumns = `i.id, i.proposal_id, i.queue_id, q.name AS queue_name, i.agent_id, a.name AS agent_name, a.connection_id, c.provider,
       i.object, i.record_id, i.field, p.field_id, p.operation, p.expected_old::text AS expected_old, p.proposed::text AS proposed,
       p.confidence, p.rationale, p.evidence::text AS evidence, p.flags::text AS flags, p.reasons::text AS reasons, p.route,
       i.sensitivity, i.approvals_required, i.approved_by::text AS approved_by, i.state, i.created_at, i.due_at, i.why::text AS why,
       i.escalated_at, i.decided_at`

const itemJoins = `
JOIN proposals p ON p.tenant_id = i.tenant_id AND p.id = i.proposal_id
JOIN agents a ON a.tenant_id = i.tenant_id AND a.id = i.agent_id
JOIN crm_connections c ON c.tenant_id = i.tenant_id AND c.id = a.connection_id
JOIN review_queues q ON q.tenant_id = i.tenant_id AND q.id = i.queue_id`

// itemSQL reads items as reviewers see them, with their claims; it needs the
// tenant as its one argument.
const itemSQL = `
SELECT ` + itemColumns + `, cl.user_id AS claimed_by, cl.lease_expires_at
FROM review_items i
LEFT JOIN review_claims cl ON cl.tenant_id = i.tenant_id AND cl.item_id = i.id` + itemJoins + `
WHERE i.tenant_id = ?`

// items reads items by id, in rank order.
func (s *Service) items(ctx context.Context, tenantID string, ids []string) ([]Item, error) {
	if len(ids) == 0 {
		return []Item{}, nil
	}
	var rows []itemRow
	if err := s.db.Conn(ctx).Raw(itemSQL+` AND i.id = ANY (?::uuid[]) ORDER BY i.rank_at, i.id`, tenantID, pgArray(ids)).
		Scan(&rows).Error; err != nil {
		return nil, err
	}
	now := s.clock.Now()
	out := make([]Item, len(rows))
	for i, r := range rows {
		it, err := r.item(now)
		if err != nil {
			return nil, err
		}
		out[i] = it
	}
	return out, nil
}

func (r itemRow) item(now time.Time) (Item, error) {
	it := Item{ID: r.ID, ProposalID: r.ProposalID, QueueID: r.QueueID, QueueName: r.QueueName, AgentID: r.AgentID, AgentName: r.AgentName,
		Object: r.Object, RecordID: r.RecordID, Field: r.Field, Operation: r.Operation, Confidence: r.Confidence, Rationale: r.Rationale,
		Route: r.Route, Sensitivity: r.Sensitivity, ApprovalsRequired: r.ApprovalsRequired, ApprovedBy: parseArray(r.ApprovedBy),
		State: r.State, CreatedAt: r.CreatedAt, DueAt: r.DueAt, ClaimedBy: r.ClaimedBy, LeaseExpiresAt: r.LeaseExpiresAt,
		EscalatedAt: r.EscalatedAt, DecidedAt: r.DecidedAt, Evidence: []Evidence{}, Flags: []Flag{}, Reasons: []string{}}
	if r.State == "pending" {
		it.SLAState = SLAState(r.CreatedAt, r.DueAt, now)
	}
	if it.LeaseExpiresAt == nil || !it.LeaseExpiresAt.After(now) { // a lapsed claim holds nothing
		it.ClaimedBy, it.LeaseExpiresAt = nil, nil
	}
	var reasons []struct{ Text string }
	for _, x := range []struct {
		field string
		src   *string
		dst   any
	}{{"expected_old", r.ExpectedOld, &it.ExpectedOld}, {"proposed", r.Proposed, &it.Proposed}, {"evidence", &r.Evidence, &it.Evidence},
		{"flags", &r.Flags, &it.Flags}, {"reasons", &r.Reasons, &reasons}, {"why", &r.Why, &it.Why}} {
		if x.src == nil {
			continue
		}
		if err := json.Unmarshal([]byte(*x.src), x.dst); err != nil {
			return it, fmt.Errorf("review item %s: %s: %w", r.ID, x.field, err)
		}
	}
	for _, x := range reasons {
		it.Reasons = append(it.Reasons, x.Text)
	}
	if r.Provider == string(crm.Sandbox) {
		it.RecordURL = "/fields/connections/" + r.ConnectionID + "/sandbox?object=" + url.QueryEscape(r.Object) + "&record=" + url.QueryEscape(r.RecordID)
	}
	return it, nil
}

// Item returns one item with what a reviewer decides on: the field's
// definition and the CRM's current value, read now (Stale when it is not what
// the agent expected), and the last decision on it.
func (s *Service) Item(ctx context.Context, actor principal.Principal, id string) (Item, error) {
	if !db.IsUUID(id) {
		return Item{}, problem.NotFound("review item")
	}
	var rows []itemRow
	if err := s.db.Conn(ctx).Raw(itemSQL+` AND i.id = ?`, actor.TenantID, id).Scan(&rows).Error; err != nil {
		return Item{}, err
	}
	if len(rows) == 0 {
		return Item{}, problem.NotFound("review item")
	}
	it, err := rows[0].item(s.clock.Now())
	if err != nil {
		return it, err
	}
	spec := fieldvalue.Spec{}
	if f, err := s.field(ctx, actor.TenantID, rows[0].FieldID); err == nil {
		it.FieldLabel, it.FieldType, it.FieldOptions = f.Label, string(f.Type), optionValues(f)
		spec = fieldvalue.SpecOf(f)
	}
	it.Current, it.CurrentErr = s.current(ctx, actor.TenantID, rows[0].ConnectionID, it.Object, it.RecordID, it.Field)
	if it.CurrentErr == "" && it.ExpectedOld != nil {
		it.Stale = !fieldvalue.Same(spec, it.Current, it.ExpectedOld)
	}
	last, err := s.decisions(ctx, actor.TenantID, id, 1)
	if err == nil && len(last) > 0 {
		it.LastDecision = &last[0]
	}
	return it, err
}

func optionValues(f crm.Field) []string {
	out := make([]string, len(f.Options))
	for i, o := range f.Options {
		out[i] = o.Value
	}
	return out
}

// field is the catalog's definition of a proposal's field.
func (s *Service) field(ctx context.Context, tenantID string, fieldID *string) (crm.Field, error) {
	if fieldID == nil {
		return crm.Field{}, problem.NotFound("field")
	}
	f, err := s.catalog.FieldDetail(ctx, tenantID, *fieldID)
	return f.Field.Field, err
}

// current reads a field's value from the CRM now; the error is for the reviewer to read.
func (s *Service) current(ctx context.Context, tenantID, connectionID, object, recordID, field string) (any, string) {
	conn, err := s.catalog.Connector(ctx, tenantID, connectionID)
	if err != nil {
		return nil, "the CRM connection cannot be used: " + crm.Describe(err)
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	recs, err := conn.ReadRecords(ctx, object, []string{recordID}, []string{field})
	if err != nil {
		return nil, "the CRM did not answer: " + crm.Describe(err)
	}
	if len(recs) == 0 {
		return nil, "the record no longer exists in the CRM"
	}
	return recs[0].Values[field], ""
}
