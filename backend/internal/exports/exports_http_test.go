package exports_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/xuri/excelize/v2"

	"countersign/backend/internal/exports"
	"countersign/backend/internal/server/servertest"
	"countersign/migrations"
)

type exportJSON struct {
	ID, State, Format string
	Rows, Total       int64
	Sha256            *string
	Error             *string
}

// exportDone queues an export as c, runs its job and returns it done.
func exportDone(t *testing.T, a servertest.Applied, c *servertest.Client, format string) exportJSON {
	t.Helper()
	now := a.Env.Clock.Now()
	r := c.Do("POST", "/api/v1/exports", map[string]any{"format": format,
		"filter": map[string]any{"since": now.Add(-24 * time.Hour), "until": now.Add(time.Hour)}})
	var x exportJSON
	if json.Unmarshal(r.Body, &x); r.Status != 202 || x.State != "queued" {
		t.Fatalf("create %s export: %d %s", format, r.Status, r.Body)
	}
	if err := a.Env.Srv.Exports.Run(a.Env.As(a.Tenant), a.Tenant, x.ID); err != nil {
		t.Fatal(err)
	}
	json.Unmarshal(c.Do("GET", "/api/v1/exports/"+x.ID, nil).Body, &x)
	if x.State != "done" || x.Sha256 == nil {
		t.Fatalf("export after its job: %+v", x)
	}
	return x
}

func publicKey(t *testing.T, c *servertest.Client) ed25519.PublicKey {
	t.Helper()
	var k struct {
		PublicKey string `json:"public_key"`
	}
	json.Unmarshal(c.Do("GET", "/api/v1/changes/public-key", nil).Body, &k)
	pub, err := base64.StdEncoding.DecodeString(k.PublicKey)
	if err != nil || len(pub) != ed25519.PublicKeySize {
		t.Fatalf("public key %q", k.PublicKey)
	}
	return pub
}

// A compliance user exports the change log as CSV: every change with its
// approvers, quorum, sensitivity at decision time, SLA and rollback; the
// signed manifest verifies the file offline, and a changed byte, a removed
// row or an edited manifest is named. The exports read a row a page, so
// each row after the third is read into the room of one read before.
func TestExport_CSV_carries_what_an_auditor_asks_and_verifies_offline_and_a_tampered_row_is_named(t *testing.T) {
	exports.SmallPages(t, 1)
	a := servertest.ApplyStageMoves(t, 5, 3)
	log := a.Admin.Changes("")
	undone := log[0]
	if r := a.Rev.Do("POST", "/api/v1/changes/"+undone.ID+"/rollback", map[string]any{"reason": "wrong stage"}); r.Status != 200 {
		t.Fatalf("rollback: %d %s", r.Status, r.Body)
	}
	comp := a.Env.SignIn("compliance@acme.test")
	x := exportDone(t, a, comp, "csv")
	if x.Rows != int64(len(log)+1) || x.Total != x.Rows {
		t.Fatalf("exported %d rows (total %d) of %d changes and a rollback", x.Rows, x.Total, len(log))
	}
	file := comp.Do("GET", "/api/v1/exports/"+x.ID+"/download", nil)
	if file.Status != 200 || !strings.Contains(file.Header.Get("Content-Disposition"), ".csv") {
		t.Fatalf("download: %d %v", file.Status, file.Header)
	}
	recs, err := csv.NewReader(bytes.NewReader(file.Body)).ReadAll()
	if err != nil || len(recs) != len(log)+2 || !slices.Equal(recs[0], exports.Columns) {
		t.Fatalf("CSV: %v, %d lines, header %v", err, len(recs), recs[0])
	}
	col := func(rec []string, name string) string { return rec[slices.Index(exports.Columns, name)] }
	var sawUndone, sawRollback bool
	for _, rec := range recs[1:] {
		switch col(rec, "actor_kind") {
		case "collaborative":
			if col(rec, "approvers") != "Rita Reviewer" || col(rec, "quorum_met") != "yes" || col(rec, "sensitivity") == "" ||
				col(rec, "policy_version") == "" || col(rec, "route_reasons") == "" || (col(rec, "sla") != "met" && col(rec, "sla") != "breached") || col(rec, "agent") != "Closer" {
				t.Errorf("an approved change reads %v", rec)
			}
			if col(rec, "change_id") == undone.ID {
				sawUndone = col(rec, "rolled_back_by") != ""
			}
		case "human":
			sawRollback = col(rec, "reverts") != "" && col(rec, "reason") == "wrong stage" && col(rec, "user") != "" &&
				col(rec, "approvers") == "" && col(rec, "decision_seqs") == ""
		}
	}
	if !sawUndone || !sawRollback {
		t.Errorf("the rolled back change names its rollback: %v; the rollback is a row: %v", sawUndone, sawRollback)
	}

	// a second round of approved changes, one rolled back: the log interleaves people's and agents' rows
	second := servertest.ProposeStage(t, a.Agent, 5, "qualifiedtobuy")
	a.Rev.ApproveAll()
	a.Env.Clock.Advance(13 * time.Second)
	if got, _, _ := a.Env.Drain(a.Tenant); got != len(second) {
		t.Fatalf("applied %d of %d", got, len(second))
	}
	both := a.Admin.Changes("?actor_kind=collaborative")
	if r := a.Rev.Do("POST", "/api/v1/changes/"+both[0].ID+"/rollback", map[string]any{"reason": "wrong stage"}); r.Status != 200 {
		t.Fatalf("rollback: %d %s", r.Status, r.Body)
	}

	// the filter takes the sensitivity in force when each change was decided, and an actor kind; each row of a
	// filtered export carries its own review facts (read by the page's seqs, which the filter leaves gaps in)
	sensitivity, unused := col(recs[1], "sensitivity"), "critical"
	if sensitivity == unused {
		unused = "low"
	}
	for _, f := range []struct {
		filter map[string]any
		rows   int
	}{
		{map[string]any{"sensitivity": sensitivity}, len(both)},
		{map[string]any{"sensitivity": unused}, 0},
		{map[string]any{"actor_kind": "collaborative"}, len(both)},
		{map[string]any{"actor_kind": "human"}, 2},
	} {
		now := a.Env.Clock.Now()
		f.filter["since"], f.filter["until"] = now.Add(-24*time.Hour), now.Add(time.Hour)
		var y exportJSON
		json.Unmarshal(comp.Do("POST", "/api/v1/exports", map[string]any{"format": "jsonl", "filter": f.filter}).Body, &y)
		if err := a.Env.Srv.Exports.Run(a.Env.As(a.Tenant), a.Tenant, y.ID); err != nil {
			t.Fatal(err)
		}
		json.Unmarshal(comp.Do("GET", "/api/v1/exports/"+y.ID, nil).Body, &y)
		if y.State != "done" || y.Rows != int64(f.rows) {
			t.Errorf("an export of %v: %s with %d rows, want %d", f.filter, y.State, y.Rows, f.rows)
		}
		body := comp.Do("GET", "/api/v1/exports/"+y.ID+"/download", nil).Body
		for _, line := range bytes.Split(bytes.TrimSpace(body), []byte("\n")) {
			var row exports.Row
			if len(line) == 0 {
				continue
			}
			if err := json.Unmarshal(line, &row); err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			// a rollback has its proposal's review facts too, but no approvals of its own
			if row.RouteReasons == "" || row.QuorumMet != "yes" || (row.SLA != "met" && row.SLA != "breached") ||
				(row.ActorKind == "collaborative") != slices.Equal(row.Approvers, []string{"Rita Reviewer"}) {
				t.Errorf("an export of %v: row %d (%s) reads reasons %q, quorum %q, SLA %q, approvers %v", f.filter, row.Seq,
					row.ActorKind, row.RouteReasons, row.QuorumMet, row.SLA, row.Approvers)
			}
		}
	}

	mf := comp.Do("GET", "/api/v1/exports/"+x.ID+"/manifest", nil)
	if mf.Status != 200 || !strings.Contains(mf.Header.Get("Content-Disposition"), "manifest.json") {
		t.Fatalf("manifest: %d %s", mf.Status, mf.Body)
	}
	pub := publicKey(t, comp)
	v, err := exports.Verify(mf.Body, bytes.NewReader(file.Body), pub)
	if err != nil || v.Rows != x.Rows || !v.RowsChecked {
		t.Fatalf("verify: %+v %v", v, err)
	}

	// a changed value in the third row
	lines := bytes.SplitAfter(file.Body, []byte("\n"))
	tampered := bytes.Join(slices.Concat(lines[:3], [][]byte{bytes.Replace(lines[3], []byte("contractsent"), []byte("closedwon"), 1)}, lines[4:]), nil)
	if bytes.Equal(tampered, file.Body) {
		t.Fatal("nothing to tamper with")
	}
	mismatch(t, "an altered value", mf.Body, tampered, pub, 3, "altered")
	// a removed row
	mismatch(t, "a removed row", mf.Body, bytes.Join(slices.Concat(lines[:2], lines[3:]), nil), pub, 0, "")
	// an edited manifest
	var m map[string]any
	json.Unmarshal(mf.Body, &m)
	m["rows"] = float64(x.Rows - 1)
	edited, _ := json.Marshal(m)
	mismatch(t, "an edited manifest", edited, file.Body, pub, 0, "signature")
	// another key
	other, _, _ := ed25519.GenerateKey(nil)
	mismatch(t, "another key", mf.Body, file.Body, other, 0, "key")
}

func mismatch(t *testing.T, what string, manifest, file []byte, pub ed25519.PublicKey, row int64, says string) {
	t.Helper()
	_, err := exports.Verify(manifest, bytes.NewReader(file), pub)
	var m *exports.Mismatch
	if !errors.As(err, &m) || (row > 0 && m.Row != row) || !strings.Contains(m.Problem, says) {
		t.Errorf("%s: verify says %v, want row %d saying %q", what, err, row, says)
	}
}

// JSONL, XLSX and PDF exports open with real readers, and the rows of the
// first two verify like the CSV's; the PDF's bytes verify.
func TestExport_JSONL_XLSX_and_PDF_open_with_their_readers_and_verify(t *testing.T) {
	a := servertest.ApplyStageMoves(t, 4, 2)
	comp := a.Env.SignIn("compliance@acme.test")
	pub := publicKey(t, comp)
	n := int64(len(a.Admin.Changes("")))
	for _, format := range []string{"jsonl", "xlsx", "pdf"} {
		x := exportDone(t, a, comp, format)
		file := comp.Do("GET", "/api/v1/exports/"+x.ID+"/download", nil)
		mf := comp.Do("GET", "/api/v1/exports/"+x.ID+"/manifest", nil)
		switch format {
		case "jsonl":
			lines := bytes.Split(bytes.TrimSpace(file.Body), []byte("\n"))
			var row exports.Row
			if int64(len(lines)) != n || json.Unmarshal(lines[0], &row) != nil || row.ActorKind != "collaborative" || len(row.Approvers) != 1 {
				t.Errorf("JSONL: %d lines, first %s", len(lines), lines[0])
			}
		case "xlsx":
			f, err := excelize.OpenReader(bytes.NewReader(file.Body))
			if err != nil {
				t.Fatal(err)
			}
			rows, _ := f.GetRows("Changes")
			if int64(len(rows)) != n+1 || rows[0][0] != "seq" || rows[1][slices.Index(exports.Columns, "actor_kind")] != "collaborative" {
				t.Errorf("XLSX: %d rows, %v", len(rows), rows[:min(2, len(rows))])
			}
		case "pdf":
			if !bytes.HasPrefix(file.Body, []byte("%PDF-")) {
				t.Errorf("PDF begins %q", file.Body[:min(8, len(file.Body))])
			}
		}
		v, err := exports.Verify(mf.Body, bytes.NewReader(file.Body), pub)
		if err != nil || v.Rows != n || v.RowsChecked != (format != "pdf") {
			t.Errorf("%s: verify %+v %v", format, v, err)
		}
		if format != "jsonl" {
			broken := slices.Clone(file.Body)
			broken[len(broken)/2] ^= 0xff
			if _, err := exports.Verify(mf.Body, bytes.NewReader(broken), pub); err == nil {
				t.Errorf("%s: a flipped byte verifies", format)
			}
		}
	}
}

// Bad input names its field; only compliance and admin export; another
// workspace sees nothing; exports and downloads are in the audit trail; a
// file can be downloaded until it expires.
func TestExport_refusals_access_audit_trail_and_expiry(t *testing.T) {
	a := servertest.ApplyStageMoves(t, 3, 1)
	comp := a.Env.SignIn("compliance@acme.test")
	now := a.Env.Clock.Now()
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"format": "docx", "filter": map[string]any{"since": now.Add(-time.Hour), "until": now}}, "format"},
		{map[string]any{"format": "csv", "filter": map[string]any{"since": now, "until": now.Add(-time.Hour)}}, "filter.until"},
		{map[string]any{"format": "csv", "filter": map[string]any{"since": now, "until": now}}, "filter.until"},
		{map[string]any{"format": "csv", "filter": map[string]any{"since": now.Add(-time.Hour), "until": now, "sensitivity": "huge"}}, "filter.sensitivity"},
		{map[string]any{"format": "csv", "filter": map[string]any{"since": now.Add(-time.Hour), "until": now, "agent_id": "x"}}, "filter.agent_id"},
	} {
		r := comp.Do("POST", "/api/v1/exports", c.body)
		if r.Status != 400 || !strings.Contains(string(r.Body), `"field":"`+c.field+`"`) {
			t.Errorf("%v: %d %s, want 400 naming %s", c.body, r.Status, r.Body, c.field)
		}
	}
	if xs, _ := a.Env.Srv.Exports.List(a.Env.As(a.Tenant), a.Tenant); len(xs) != 0 {
		t.Errorf("refused requests queued %d exports", len(xs))
	}
	body := map[string]any{"format": "csv", "filter": map[string]any{"since": now.Add(-time.Hour), "until": now.Add(time.Hour)}}
	if r := a.Rev.Do("POST", "/api/v1/exports", body); r.Status != 403 {
		t.Errorf("a reviewer exports: %d", r.Status)
	}
	x := exportDone(t, a, comp, "csv")
	if r := a.Rev.Do("GET", "/api/v1/exports/"+x.ID+"/download", nil); r.Status != 403 {
		t.Errorf("a reviewer downloads: %d", r.Status)
	}
	g := a.Env.SignIn("admin@globex.test")
	for _, path := range []string{"/api/v1/exports/" + x.ID, "/api/v1/exports/" + x.ID + "/download", "/api/v1/exports/" + x.ID + "/manifest"} {
		if r := g.Do("GET", path, nil); r.Status != 404 {
			t.Errorf("globex GET %s: %d", path, r.Status)
		}
	}
	var list struct{ Items []exportJSON }
	json.Unmarshal(g.Do("GET", "/api/v1/exports", nil).Body, &list)
	if len(list.Items) != 0 {
		t.Errorf("globex lists %d of acme's exports", len(list.Items))
	}
	if r := comp.Do("GET", "/api/v1/exports/"+x.ID+"/download", nil); r.Status != 200 {
		t.Fatalf("download: %d", r.Status)
	}
	var trail struct {
		Items []struct {
			At     time.Time
			Action string
		} `json:"entries"`
	}
	json.Unmarshal(a.Admin.Do("GET", "/api/v1/audit", nil).Body, &trail)
	for _, action := range []string{exports.ActionCreated, exports.ActionDownloaded} {
		found := false
		for _, it := range trail.Items {
			if it.Action == action {
				found = true
				if d := it.At.Sub(a.Env.Clock.Now()); d < -time.Minute || d > time.Minute {
					t.Errorf("%s is in the audit trail at %s, not now (%s)", action, it.At, a.Env.Clock.Now())
				}
			}
		}
		if !found {
			t.Errorf("the audit trail lacks %s: %+v", action, trail.Items)
		}
	}
	a.Env.Clock.Advance(8 * 24 * time.Hour)
	comp = a.Env.SignIn("compliance@acme.test") // the session lapsed too
	if r := comp.Do("GET", "/api/v1/exports/"+x.ID+"/download", nil); r.Status != 410 || r.Code() != "export_expired" {
		t.Errorf("an expired export downloads: %d %s", r.Status, r.Body)
	}
}

// A monthly schedule exports the month just ended when its time comes (once,
// however many times the job runs), moves to the next month, and posts
// export.ready with the file's SHA-256 to its webhook; bad input names its
// field; a schedule can be stopped.
func TestExportSchedule_exports_the_month_just_ended_and_posts_its_webhook(t *testing.T) {
	a := servertest.ApplyStageMoves(t, 3, 1)
	comp := a.Env.SignIn("compliance@acme.test")
	got := make(chan map[string]any, 4)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		json.NewDecoder(r.Body).Decode(&body)
		got <- body
	}))
	defer hook.Close()
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"format": "csv", "cadence": "daily"}, "cadence"},
		{map[string]any{"format": "odt", "cadence": "monthly"}, "format"},
		{map[string]any{"format": "csv", "cadence": "monthly", "webhook_url": "ftp://x"}, "webhook_url"},
	} {
		if r := comp.Do("POST", "/api/v1/export-schedules", c.body); r.Status != 400 || !strings.Contains(string(r.Body), `"field":"`+c.field+`"`) {
			t.Errorf("%v: %d %s", c.body, r.Status, r.Body)
		}
	}
	r := comp.Do("POST", "/api/v1/export-schedules", map[string]any{"format": "jsonl", "cadence": "monthly", "webhook_url": hook.URL,
		"actor_kind": "collaborative"})
	var sch struct {
		ID        string
		NextRunAt time.Time `json:"next_run_at"`
	}
	if json.Unmarshal(r.Body, &sch); r.Status != 201 || sch.NextRunAt.Day() != 1 || !sch.NextRunAt.After(a.Env.Clock.Now()) {
		t.Fatalf("schedule: %d %s", r.Status, r.Body)
	}
	ctx := a.Env.As(a.Tenant)
	if n, err := a.Env.Srv.Exports.RunDue(ctx, a.Tenant); err != nil || n != 0 {
		t.Fatalf("before its time: %d %v", n, err)
	}
	a.Env.Clock.Set(sch.NextRunAt.Add(time.Minute))
	comp = a.Env.SignIn("compliance@acme.test") // the session lapsed with the month
	for range 2 {
		if _, err := a.Env.Srv.Exports.RunDue(ctx, a.Tenant); err != nil {
			t.Fatal(err)
		}
	}
	xs, _ := a.Env.Srv.Exports.List(ctx, a.Tenant)
	if len(xs) != 1 || xs[0].ScheduleID == nil || *xs[0].ScheduleID != sch.ID || !xs[0].Filter.Until.Equal(sch.NextRunAt) ||
		!xs[0].Filter.Since.Equal(sch.NextRunAt.AddDate(0, -1, 0)) || xs[0].Filter.ActorKind != "collaborative" {
		t.Fatalf("the schedule queued %+v", xs)
	}
	if err := a.Env.Srv.Exports.Run(ctx, a.Tenant, xs[0].ID); err != nil {
		t.Fatal(err)
	}
	select {
	case body := <-got:
		x, _ := a.Env.Srv.Exports.Get(ctx, a.Tenant, xs[0].ID)
		if body["event"] != "export.ready" || body["export_id"] != x.ID || body["sha256"] != *x.SHA256 || x.Rows == 0 ||
			!strings.HasSuffix(body["download_url"].(string), "/api/v1/exports/"+x.ID+"/download") {
			t.Errorf("webhook body %v for %+v", body, x)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no webhook")
	}
	var list struct {
		Items []struct {
			NextRunAt    time.Time `json:"next_run_at"`
			LastExportID *string   `json:"last_export_id"`
		}
	}
	json.Unmarshal(comp.Do("GET", "/api/v1/export-schedules", nil).Body, &list)
	if len(list.Items) != 1 || !list.Items[0].NextRunAt.Equal(sch.NextRunAt.AddDate(0, 1, 0)) || list.Items[0].LastExportID == nil {
		t.Errorf("after its run: %+v", list.Items)
	}
	if r := a.Env.SignIn("admin@globex.test").Do("DELETE", "/api/v1/export-schedules/"+sch.ID, nil); r.Status != 404 {
		t.Errorf("globex stops acme's schedule: %d", r.Status)
	}
	if r := comp.Do("DELETE", "/api/v1/export-schedules/"+sch.ID, nil); r.Status != 204 {
		t.Errorf("stop: %d %s", r.Status, r.Body)
	}
	json.Unmarshal(comp.Do("GET", "/api/v1/export-schedules", nil).Body, &list)
	if len(list.Items) != 0 {
		t.Errorf("a stopped schedule is listed: %+v", list.Items)
	}
}

// A log written before change_reviews existed gets its review facts when
// 00013 runs: the same facts appends write (the backfill and the append use
// one SQL function), for the changes and the rollback alike.
func TestMigration_00013_backfills_the_review_facts_appends_write(t *testing.T) {
	a := servertest.ApplyStageMoves(t, 4, 2)
	undone := a.Admin.Changes("")[0]
	if r := a.Rev.Do("POST", "/api/v1/changes/"+undone.ID+"/rollback", map[string]any{"reason": "wrong stage"}); r.Status != 200 {
		t.Fatalf("rollback: %d %s", r.Status, r.Body)
	}
	facts := func() []string {
		var rows []string
		if err := a.Env.Owner.Conn(t.Context()).Raw(`SELECT concat_ws(' | ', seq, route_reasons, quorum_met, sla_met, approver_ids::text)
			FROM change_reviews ORDER BY seq`).Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		return rows
	}
	appended := facts()
	var events int
	a.Env.Owner.Conn(t.Context()).Raw(`SELECT count(*) FROM change_events WHERE proposal_id IS NOT NULL`).Scan(&events)
	if len(appended) != events || events < 3 {
		t.Fatalf("appends wrote %d review facts for %d changes from proposals", len(appended), events)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, a.Env.Owner.SQL(), migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(t.Context(), 12); err != nil {
		t.Fatalf("down to 12: %v", err)
	}
	if _, err := p.Up(t.Context()); err != nil {
		t.Fatalf("up: %v", err)
	}
	if backfilled := facts(); !slices.Equal(backfilled, appended) {
		t.Errorf("backfilled:\n%s\nappended:\n%s", strings.Join(backfilled, "\n"), strings.Join(appended, "\n"))
	}

	// a change appended meanwhile by an app copy that predates change_reviews has none stored: an export works
	// its facts out as the append would have
	var missing int64
	a.Env.Owner.Conn(t.Context()).Raw(`DELETE FROM change_reviews WHERE seq = (SELECT min(seq) FROM change_reviews) RETURNING seq`).Scan(&missing)
	comp := a.Env.SignIn("compliance@acme.test")
	x := exportDone(t, a, comp, "jsonl")
	found := false
	for _, line := range bytes.Split(bytes.TrimSpace(comp.Do("GET", "/api/v1/exports/"+x.ID+"/download", nil).Body), []byte("\n")) {
		var row exports.Row
		if err := json.Unmarshal(line, &row); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		if row.Seq == missing {
			found = true
			if row.RouteReasons == "" || row.QuorumMet != "yes" || row.SLA == "" || !slices.Equal(row.Approvers, []string{"Rita Reviewer"}) {
				t.Errorf("the change with no stored facts reads reasons %q, quorum %q, SLA %q, approvers %v", row.RouteReasons,
					row.QuorumMet, row.SLA, row.Approvers)
			}
		}
	}
	if missing == 0 || !found {
		t.Errorf("change %d not exported", missing)
	}
}
