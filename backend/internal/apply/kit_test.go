package apply_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"countersign/backend/internal/agents"
	"countersign/backend/internal/apply"
	"countersign/backend/internal/audit"
	"countersign/backend/internal/catalog"
	"countersign/backend/internal/changelog"
	"countersign/backend/internal/crm"
	"countersign/backend/internal/crm/httpx"
	"countersign/backend/internal/crm/httpx/httpxtest"
	"countersign/backend/internal/crm/hubspot"
	"countersign/backend/internal/crm/hubspot/hubspottest"
	"countersign/backend/internal/platform/clock"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/jobs"
	"countersign/backend/internal/platform/principal"
	"countersign/backend/internal/review"
	"countersign/backend/internal/seed/seedtest"
)

const (
	readRoute   = "POST /crm/v3/objects/deals/batch/read"
	updateRoute = "POST /crm/v3/objects/deals/batch/update"
)

// kit is a seeded database with acme's HubSpot connection (the fake, its
// fields synced), an agent on it, and the apply service on a fixed clock.
type kit struct {
	t      *testing.T
	ctx    context.Context // acme's tenant context
	owner  *db.DB          // the schema owner's: inspects rows, inserts proposals
	fake   *hubspottest.Server
	wire   *wire
	net    *httpxtest.Clock // the connector's clock: Retry-After and backoff sleeps return at once
	clock  *clock.Fixed     // the apply service's
	svc    *apply.Service
	rv     *review.Service
	log    *changelog.Service
	admin  principal.Principal
	tenant string
	conn   string
	agent  string
	start  time.Time
}

func newKit(t *testing.T, records int) *kit {
	t.Helper()
	ctx := context.Background()
	sdb := seedtest.Open(t)
	owner, d, quiet := sdb.Owner(t), sdb.App, sdb.Quiet
	k := &kit{t: t, owner: owner, fake: hubspottest.NewServer(t, hubspottest.Options{Records: records}),
		wire: &wire{base: http.DefaultTransport}, net: httpxtest.NewClock(time.Now()), clock: clock.NewFixed(time.Now()),
		start: time.Now().Add(-time.Second)}
	factories := map[crm.Provider]crm.Factory{crm.HubSpot: func(_ context.Context, c crm.Connection) (crm.Connector, error) {
		// the connector's defaults (4 attempts, 60 s longest Retry-After),
		// with client-side limiting off and every wait instant
		return hubspot.New(c, httpx.WithRateLimit(0, 0), k.net.Option(), httpx.WithJitter(func() float64 { return 0 }),
			httpx.WithHTTPClient(&http.Client{Transport: k.wire, Timeout: 30 * time.Second}))
	}}
	secret := make([]byte, 32)
	cat, err := catalog.NewService(catalog.Deps{DB: d, Jobs: jobs.New(d, quiet), Audit: audit.New(d), Clock: clock.System{}, Log: quiet,
		SecretKey: secret, Factories: factories})
	if err != nil {
		t.Fatal(err)
	}
	if err := owner.Conn(ctx).Raw(`SELECT m.tenant_id, u.id AS user_id, u.email, u.name FROM memberships m JOIN users u ON u.id = m.user_id
		JOIN tenants t ON t.id = m.tenant_id WHERE t.slug = 'acme' AND u.email = 'admin@acme.test'`).Scan(&k.admin).Error; err != nil || k.admin.TenantID == "" {
		t.Fatalf("acme's admin: %v", err)
	}
	k.tenant = k.admin.TenantID
	k.ctx = db.WithTenant(ctx, k.tenant)
	name, base := "HubSpot (fake)", k.fake.URL
	conn, err := cat.CreateConnection(k.ctx, k.admin, catalog.ConnectionInput{Name: &name, Provider: crm.HubSpot, BaseURL: &base,
		Credentials: map[string]string{"access_token": k.fake.Token}})
	if err != nil {
		t.Fatalf("connection: %v", err)
	}
	k.conn = conn.ID
	run, err := cat.StartSync(k.ctx, k.admin, conn.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := cat.RunSync(ctx, k.tenant, run.ID); err != nil {
		t.Fatalf("sync: %v", err)
	}
	agentName := "Apply test agent"
	a, err := agents.NewService(agents.Deps{DB: d, Catalog: cat, Audit: audit.New(d), Clock: clock.System{}}).Create(k.ctx, k.admin, agents.Input{Name: &agentName, ConnectionID: &conn.ID})
	if err != nil {
		t.Fatal(err)
	}
	k.agent = a.ID
	k.log = changelog.New(changelog.Deps{DB: d, Clock: k.clock, Catalog: cat, Signer: changelog.NewSigner(secret)})
	k.rv = review.New(review.Deps{DB: d, Clock: k.clock, Catalog: cat, Audit: audit.New(d), Changes: k.log})
	k.svc = apply.New(apply.Deps{DB: d, Clock: k.clock, Catalog: cat, Changelog: k.log, Review: k.rv, Log: quiet})
	k.fake.ResetCounts()
	return k
}

// wire carries the connector's requests to the fake; hook, when set, sees
// each batch update and decides what becomes of it (next sends it on).
type wire struct {
	base http.RoundTripper
	mu   sync.Mutex
	hook func(r *http.Request, next func() (*http.Response, error)) (*http.Response, error)
}

func (w *wire) RoundTrip(r *http.Request) (*http.Response, error) {
	w.mu.Lock()
	hook := w.hook
	w.mu.Unlock()
	next := func() (*http.Response, error) { return w.base.RoundTrip(r) }
	if hook == nil || !strings.HasSuffix(r.URL.Path, "/batch/update") {
		return next()
	}
	return hook(r, next)
}

func (w *wire) onUpdate(h func(r *http.Request, next func() (*http.Response, error)) (*http.Response, error)) {
	w.mu.Lock()
	w.hook = h
	w.mu.Unlock()
}

// badGateway is HubSpot's 502, as a proxy in front of it answers.
func badGateway(r *http.Request) *http.Response {
	return &http.Response{StatusCode: http.StatusBadGateway, Status: "502 Bad Gateway", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"application/json"}}, Request: r,
		Body: io.NopCloser(strings.NewReader(`{"status":"error","message":"Bad gateway","category":"INTERNAL_ERROR"}`))}
}

// propose inserts approved (or auto-approved) proposals renaming deals
// from..from+n-1, each expecting the name the fake holds now, approved a
// minute ago (past the undo window); it returns their ids by record id.
func (k *kit) propose(status string, from, n int) map[string]string {
	k.t.Helper()
	type row struct {
		RecordID    string `json:"record_id"`
		ExpectedOld string `json:"expected_old"`
		Proposed    string `json:"proposed"`
	}
	rows := make([]row, n)
	for i := range rows {
		id := strconv.Itoa(from + i)
		old, _ := json.Marshal(k.fake.Value("deals", id, "dealname"))
		rows[i] = row{RecordID: id, ExpectedOld: string(old), Proposed: `"` + renamed(id) + `"`}
	}
	b, _ := json.Marshal(rows)
	route := "review"
	if status == "auto_approved" {
		route = "auto"
	}
	at := k.clock.Now().Add(-time.Minute)
	var out []struct{ ID, RecordID string }
	if err := k.owner.Conn(k.ctx).Raw(`INSERT INTO proposals (tenant_id, agent_id, batch_id, object, record_id, field, operation,
		expected_old, proposed, confidence, route, status, created_at, updated_at)
		SELECT ?, ?, gen_random_uuid(), 'deals', x.record_id, 'dealname', 'set', x.expected_old::jsonb, x.proposed::jsonb, 0.99, ?, ?, ?, ?
		FROM jsonb_to_recordset(?::jsonb) AS x(record_id text, expected_old text, proposed text)
		RETURNING id::text, record_id`, k.tenant, k.agent, route, status, at, at, string(b)).Scan(&out).Error; err != nil {
		k.t.Fatal(err)
	}
	ids := make(map[string]string, len(out))
	for _, r := range out {
		ids[r.RecordID] = r.ID
	}
	return ids
}

func renamed(id string) string { return "Renamed deal " + id }

// decided gives a proposal the review item a reviewer approved.
func (k *kit) decided(proposalID, recordID string) {
	k.t.Helper()
	qs, err := k.rv.Queues(k.ctx, k.tenant)
	if err != nil || len(qs) == 0 {
		k.t.Fatalf("queues: %v", err)
	}
	at := k.clock.Now().Add(-time.Minute)
	if err := k.owner.Conn(k.ctx).Exec(`INSERT INTO review_items (tenant_id, proposal_id, queue_id, agent_id, object, record_id, field,
		sensitivity, approvals_required, approved_by, sla_minutes, due_at, rank_at, state, created_at, decided_at)
		VALUES (?, ?, ?, ?, 'deals', ?, 'dealname', 'low', 1, ARRAY[?::uuid], 60, ?, ?, 'decided', ?, ?)`,
		k.tenant, proposalID, qs[0].ID, k.agent, recordID, k.admin.UserID, at, at, at, at).Error; err != nil {
		k.t.Fatal(err)
	}
}

func (k *kit) drain() apply.Result {
	k.t.Helper()
	r, err := k.svc.Drain(context.Background(), k.tenant)
	if err != nil {
		k.t.Fatalf("drain: %v", err)
	}
	return r
}

// proposal is what the console shows of one.
type proposal struct {
	Status         string
	ApplyError     *string
	ApplyAttempts  int
	AppliedSeq     *int64
	WriteStartedAt *time.Time
}

func (k *kit) proposal(id string) proposal {
	k.t.Helper()
	var p []proposal
	if err := k.owner.Conn(k.ctx).Raw(`SELECT status, apply_error, apply_attempts, applied_seq, write_started_at FROM proposals
		WHERE tenant_id = ? AND id = ?`, k.tenant, id).Scan(&p).Error; err != nil || len(p) != 1 {
		k.t.Fatalf("proposal %s: %v", id, err)
	}
	return p[0]
}

// statuses counts the tenant's proposals by status.
func (k *kit) statuses() map[string]int {
	k.t.Helper()
	var rows []struct {
		Status string
		N      int
	}
	if err := k.owner.Conn(k.ctx).Raw(`SELECT status, count(*) AS n FROM proposals WHERE tenant_id = ? GROUP BY status`, k.tenant).
		Scan(&rows).Error; err != nil {
		k.t.Fatal(err)
	}
	out := map[string]int{}
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out
}

type event struct {
	Seq         int64
	ProposalID  *string
	RecordID    string
	BeforeValue string
	AfterValue  string
	ActorKind   string
	Reason      string
}

func (k *kit) events() []event {
	k.t.Helper()
	var es []event
	if err := k.owner.Conn(k.ctx).Raw(`SELECT seq, proposal_id::text, record_id, before_value, after_value, actor_kind, reason
		FROM change_events WHERE tenant_id = ? ORDER BY seq`, k.tenant).Scan(&es).Error; err != nil {
		k.t.Fatal(err)
	}
	return es
}

// writes lists the values Countersign's writes left in the CRM's history of
// the records' names since the test began (HubSpot records one entry per
// write). It reads the fake over HTTP: call it after counting requests.
func (k *kit) writes(ids ...string) map[string][]string {
	k.t.Helper()
	c, err := hubspot.New(k.fake.Connection(), httpx.WithRateLimit(0, 0))
	if err != nil {
		k.t.Fatal(err)
	}
	chs, err := c.History(context.Background(), "deals", ids, []string{"dealname"}, k.start)
	if err != nil {
		k.t.Fatalf("history: %v", err)
	}
	out := map[string][]string{}
	for _, ch := range chs {
		if ch.Source == crm.SourceAPI {
			out[ch.RecordID] = append(out[ch.RecordID], fmt.Sprint(ch.Value))
		}
	}
	return out
}

func recordIDs(from, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = strconv.Itoa(from + i)
	}
	return out
}

func (k *kit) verifyChain(want int64) {
	k.t.Helper()
	v, err := k.log.Verify(k.ctx, k.tenant)
	if err != nil {
		k.t.Fatal(err)
	}
	if !v.OK || v.Events != want {
		k.t.Fatalf("change log: ok=%v events=%d (want %d): %s", v.OK, v.Events, want, v.Problem)
	}
}

// loseAnswer makes HubSpot write the first batch update it receives and the
// answer get lost (502), and then stay down for the connector's retries.
func (k *kit) loseAnswer() {
	k.wire.onUpdate(func(r *http.Request, next func() (*http.Response, error)) (*http.Response, error) {
		if k.fake.Count(updateRoute) == 0 {
			res, err := next()
			if err == nil {
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
			}
		}
		return badGateway(r), nil
	})
}
