package changelog

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
)

// The chained hash of an event is fixed forever: an exported row and a
// signed checkpoint are checked against it long after. These vectors were
// computed before the walk built the canonical row from COPY fields.
func TestHashOf_vectors(t *testing.T) {
	prev := make([]byte, 32)
	for i := range prev {
		prev[i] = byte(i)
	}
	full, bare := vectorLinks()
	for _, c := range []struct {
		l    Link
		prev []byte
		want string
	}{
		{full, prev, "15f5aad295799f9291674c3d9697452b3c5c7b8efcd8c076c550bed028a4e241"},
		{full, genesis, "0d496027d95c876b905c66377a57a1ed87ce95d95bbfc36bb8fb453e39c2a271"},
		{bare, prev, "d65fc2b36e34e215215f440a2fdaa061e309231d5572f8ec449241763255ad1c"},
		{bare, genesis, "d1a8d5128740ccc42cddec7bc186fc57ee51c46d9a83ff33390e779ece8a59f2"},
	} {
		if got := HashOf(c.prev, &c.l); hex.EncodeToString(got[:]) != c.want {
			t.Errorf("HashOf(seq %d) = %x, want %s", c.l.Seq, got, c.want)
		}
		// and the walk makes the same hash of the row as COPY sends it
		w := &walk{tenantID: c.l.TenantID}
		got, ok := w.hash(copyFields(c.l, c.prev, nil))
		if !ok || hex.EncodeToString(got[:]) != c.want {
			t.Errorf("the walk's hash of seq %d = %x (%v), want %s", c.l.Seq, got, ok, c.want)
		}
	}
}

func vectorLinks() (full, bare Link) {
	full = Link{TenantID: "6169bd31-0060-4550-a6dc-a3cf6c438d28", Seq: 1234567, ID: "0e9b3c1a-5d7f-4c2e-9a8b-1f2e3d4c5b6a",
		At: time.Date(2026, 3, 4, 5, 6, 7, 891011000, time.UTC), ConnectionID: "11111111-2222-4333-8444-555555555555",
		Object: "deals", RecordID: "1001", Field: "dealstage", Before: `"appointmentscheduled"`, After: `{"a":[1,2.5,"é"]}`,
		ActorKind: ActorCollaborative, AgentID: "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee", UserID: "99999999-8888-4777-8666-555555555555",
		ProposalID: "12345678-9abc-4def-8123-456789abcdef", DecisionSeqs: []int64{3, 0, -7, 1 << 40}, PolicyVersion: 0, HasPolicy: true,
		Reverts: 42, HasReverts: true, Reason: "wrong deal"}
	bare = Link{TenantID: "6169bd31-0060-4550-a6dc-a3cf6c438d28", Seq: 1, ID: "0e9b3c1a-5d7f-4c2e-9a8b-1f2e3d4c5b6a",
		At: time.Unix(0, 0).UTC(), ConnectionID: "11111111-2222-4333-8444-555555555555", Object: "deals", RecordID: "",
		Field: "amount", Before: "null", After: "12", ActorKind: ActorSystem}
	return full, bare
}

// A chain of random events, sent as PostgreSQL's binary COPY in pieces of
// every size (rows split anywhere), verifies; each column changed in one row
// names that row, and only it; a row missing, a prev_hash or a checkpoint that
// does not hold is named as before.
func TestWalk_hashes_as_Link_canonical(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const tenant = "6169bd31-0060-4550-a6dc-a3cf6c438d28"
	links := make([]Link, 300)
	hashes := make([][]byte, len(links)+1)
	hashes[0] = genesis
	for i := range links {
		links[i] = randomLink(rng, tenant, int64(i+1))
		h := HashOf(hashes[i], &links[i])
		hashes[i+1] = h[:]
	}
	stream := func(rows []Link, prevs, sums [][]byte) []byte {
		var b []byte
		b = append(b, copySignature...)
		b = binary.BigEndian.AppendUint32(b, 0)
		b = binary.BigEndian.AppendUint32(b, 0)
		for i := range rows {
			b = appendCopyRow(b, copyFields(rows[i], prevs[i], sums[i]))
		}
		return binary.BigEndian.AppendUint16(b, 0xffff)
	}
	run := func(s []byte, piece func() int, cps map[int64]checkpointRow) *walk {
		w := &walk{tenantID: tenant, cps: cps}
		w.startPage()
		for len(s) > 0 {
			n := min(piece(), len(s))
			chunk := append([]byte(nil), s[:n]...) // pgconn reuses its buffer
			w.Write(chunk)
			clear(chunk)
			s = s[n:]
		}
		return w
	}
	whole := stream(links, hashes[:len(links)], hashes[1:])
	for _, piece := range []func() int{
		func() int { return math.MaxInt },
		func() int { return 1 },
		func() int { return 1 + rng.IntN(700) },
	} {
		w := run(whole, piece, nil)
		if err := w.endPage(); err != nil {
			t.Fatal(err)
		}
		if w.bad || w.events != int64(len(links)) || w.rows != len(links) || hex.EncodeToString(w.prev[:]) != hex.EncodeToString(hashes[len(links)]) {
			t.Fatalf("clean chain: bad %v at %d (%s), %d events", w.bad, w.badSeq, w.problem, w.events)
		}
	}
	if w := run(whole[:len(whole)-1], func() int { return 64 }, nil); w.endPage() != errShort {
		t.Errorf("a stream cut short: %v", w.endPage())
	}

	// a superuser's edit of any column of row k (its hashes kept) names k
	edits := map[string]func(l *Link){
		"id":            func(l *Link) { l.ID = "00000000-0000-4000-8000-000000000001" },
		"at":            func(l *Link) { l.At = l.At.Add(time.Microsecond) },
		"connection_id": func(l *Link) { l.ConnectionID = "00000000-0000-4000-8000-000000000002" },
		"object":        func(l *Link) { l.Object += "x" },
		"record_id":     func(l *Link) { l.RecordID = "x" + l.RecordID },
		"field":         func(l *Link) { l.Field = strings.ToUpper(l.Field) },
		"before_value":  func(l *Link) { l.Before = `"changed"` },
		"after_value":   func(l *Link) { l.After = `"closedwon"` },
		"actor_kind": func(l *Link) {
			l.ActorKind = map[bool]string{true: ActorHuman, false: ActorAgent}[l.ActorKind == ActorAgent]
		},
		"agent_id":      func(l *Link) { l.AgentID = map[bool]string{true: "", false: tenant}[l.AgentID != ""] },
		"user_id":       func(l *Link) { l.UserID = map[bool]string{true: "", false: tenant}[l.UserID != ""] },
		"proposal_id":   func(l *Link) { l.ProposalID = map[bool]string{true: "", false: tenant}[l.ProposalID != ""] },
		"decision_seqs": func(l *Link) { l.DecisionSeqs = append(l.DecisionSeqs, 1) },
		"policy":        func(l *Link) { l.HasPolicy = !l.HasPolicy },
		"reverts":       func(l *Link) { l.Reverts++ },
		"reason":        func(l *Link) { l.Reason += "." },
	}
	for name, edit := range edits {
		k := 1 + rng.IntN(len(links))
		rows := append([]Link(nil), links...)
		edit(&rows[k-1])
		if name == "reverts" {
			rows[k-1].HasReverts = true
		}
		w := run(stream(rows, hashes[:len(links)], hashes[1:]), func() int { return 1 + rng.IntN(300) }, nil)
		if !w.bad || w.badSeq != int64(k) || !strings.Contains(w.problem, "columns do not match") || w.events != int64(k-1) {
			t.Errorf("%s changed in row %d: bad %v at %d (%s), %d events", name, k, w.bad, w.badSeq, w.problem, w.events)
		}
	}
	// a row's prev_hash or hash rewritten, a row gone, a checkpoint's hash
	k := 1 + rng.IntN(len(links)-1)
	prevs := append([][]byte(nil), hashes[:len(links)]...)
	prevs[k-1] = hashes[k+1]
	w := run(stream(links, prevs, hashes[1:]), func() int { return 100 }, nil)
	if !w.bad || w.badSeq != int64(k) || !strings.Contains(w.problem, "prev_hash") {
		t.Errorf("prev_hash of %d: bad %v at %d (%s)", k, w.bad, w.badSeq, w.problem)
	}
	sums := append([][]byte(nil), hashes[1:]...)
	sums[k-1] = make([]byte, 32)
	if w := run(stream(links, hashes[:len(links)], sums), func() int { return 100 }, nil); !w.bad || w.badSeq != int64(k) {
		t.Errorf("hash of %d: bad %v at %d (%s)", k, w.bad, w.badSeq, w.problem)
	}
	gone := func(s [][]byte) [][]byte { return append(append([][]byte(nil), s[:k-1]...), s[k:]...) }
	rows := append(append([]Link(nil), links[:k-1]...), links[k:]...)
	w = run(stream(rows, gone(hashes[:len(links)]), gone(hashes[1:])), func() int { return 100 }, nil)
	if !w.bad || w.badSeq != int64(k) || w.problem != fmt.Sprintf("seq %d follows %d: events are missing", k+1, k-1) {
		t.Errorf("row %d gone: bad %v at %d (%s)", k, w.bad, w.badSeq, w.problem)
	}
	cps := map[int64]checkpointRow{int64(k): {Seq: int64(k), Hash: hashes[k-1]}}
	if w := run(whole, func() int { return 100 }, cps); !w.bad || w.badSeq != int64(k) || !strings.Contains(w.problem, "checkpoint") {
		t.Errorf("checkpoint at %d: bad %v at %d (%s)", k, w.bad, w.badSeq, w.problem)
	}
	cps = map[int64]checkpointRow{int64(k): {Seq: int64(k), Hash: hashes[k]}}
	if w := run(whole, func() int { return 100 }, cps); w.bad {
		t.Errorf("a good checkpoint at %d: bad at %d (%s)", k, w.badSeq, w.problem)
	}
}

func randomLink(rng *rand.Rand, tenant string, seq int64) Link {
	id := func() string {
		var u pgtype.UUID
		for i := range u.Bytes {
			u.Bytes[i] = byte(rng.IntN(256))
		}
		u.Valid = true
		return uuidText(u)
	}
	maybe := func() string {
		if rng.IntN(2) == 0 {
			return ""
		}
		return id()
	}
	text := func(n int) string {
		const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789 \"{}[]:,é€\\\n"
		r := []rune(alphabet)
		var b strings.Builder
		for range rng.IntN(n + 1) {
			b.WriteRune(r[rng.IntN(len(r))])
		}
		return b.String()
	}
	l := Link{TenantID: tenant, Seq: seq, ID: id(),
		At:           time.UnixMicro(rng.Int64N(4e15) - 1e15).UTC(), // 1938 to 2096
		ConnectionID: id(), Object: text(10), RecordID: text(20), Field: text(30), Before: text(200), After: text(300),
		ActorKind: []string{ActorAgent, ActorCollaborative, ActorHuman, ActorSystem}[rng.IntN(4)],
		AgentID:   maybe(), UserID: maybe(), ProposalID: maybe(), Reason: text(150),
		HasPolicy: rng.IntN(2) == 0, HasReverts: rng.IntN(2) == 0}
	if l.HasPolicy {
		l.PolicyVersion = rng.Int64() - math.MaxInt64/2
	}
	if l.HasReverts {
		l.Reverts = rng.Int64N(seq)
	}
	for range rng.IntN(4) {
		l.DecisionSeqs = append(l.DecisionSeqs, []int64{0, 1, -1, math.MinInt64, math.MaxInt64, rng.Int64()}[rng.IntN(6)])
	}
	if len(l.DecisionSeqs) == 0 && rng.IntN(2) == 0 {
		l.DecisionSeqs = []int64{} // NOT NULL DEFAULT '{}': an empty array, as PostgreSQL sends it
	}
	return l
}

// copyFields is a row as PostgreSQL's binary COPY of copyPage sends its
// columns (nil for NULL).
func copyFields(l Link, prev, sum []byte) *[copyColumns][]byte {
	var f [copyColumns][]byte
	i8 := func(n int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(n)) }
	uuid := func(s string) []byte {
		if s == "" {
			return nil
		}
		var u pgtype.UUID
		if err := u.Scan(s); err != nil {
			panic(err)
		}
		return u.Bytes[:]
	}
	f[colSeq] = i8(l.Seq)
	f[colID] = uuid(l.ID)
	f[colAt] = i8(l.At.Sub(pgEpoch).Microseconds())
	f[colConnection] = uuid(l.ConnectionID)
	for i, s := range []string{l.Object, l.RecordID, l.Field, l.Before, l.After, l.ActorKind} {
		f[colObject+i] = []byte(s)
	}
	f[colAgent], f[colUser], f[colProposal] = uuid(l.AgentID), uuid(l.UserID), uuid(l.ProposalID)
	a := binary.BigEndian.AppendUint32(nil, 1) // ndim
	if len(l.DecisionSeqs) == 0 {
		a = binary.BigEndian.AppendUint32(nil, 0)
	}
	a = binary.BigEndian.AppendUint32(a, 0)  // has nulls
	a = binary.BigEndian.AppendUint32(a, 20) // int8
	if len(l.DecisionSeqs) > 0 {
		a = binary.BigEndian.AppendUint32(a, uint32(len(l.DecisionSeqs)))
		a = binary.BigEndian.AppendUint32(a, 1) // lower bound
		for _, d := range l.DecisionSeqs {
			a = binary.BigEndian.AppendUint32(a, 8)
			a = binary.BigEndian.AppendUint64(a, uint64(d))
		}
	}
	f[colDecisionSeqs] = a
	if l.HasPolicy {
		f[colPolicy] = i8(l.PolicyVersion)
	}
	if l.HasReverts {
		f[colReverts] = i8(l.Reverts)
	}
	f[colReason] = []byte(l.Reason)
	f[colPrevHash] = append([]byte{}, prev...)
	f[colHash] = append([]byte{}, sum...)
	return &f
}

func appendCopyRow(b []byte, f *[copyColumns][]byte) []byte {
	b = binary.BigEndian.AppendUint16(b, copyColumns)
	for _, c := range f {
		if c == nil {
			b = binary.BigEndian.AppendUint32(b, math.MaxUint32) // -1: NULL
			continue
		}
		b = binary.BigEndian.AppendUint32(b, uint32(len(c)))
		b = append(b, c...)
	}
	return b
}
