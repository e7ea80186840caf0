package changelog

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// verifyPage is how many rows one read of the walk takes: each page is a
// short transaction of its own, never one long one over the whole log.
const verifyPage = 50000

// Verify walks the tenant's chain from its first event: seqs gapless from 1,
// each prev_hash the hash before it, each hash SHA-256(prev_hash ‖ row)
// recomputed from the row's columns, the head where the last event is, and
// each signed checkpoint's signature and hash. The first event that does not
// hold is named.
func (s *Service) Verify(ctx context.Context, tenantID string) (Verification, error) {
	return verifyChain(ctx, s.db.Pool(), tenantID, s.signer.PublicKey())
}

type querier interface {
	Begin(ctx context.Context) (pgx.Tx, error)
}

func verifyChain(ctx context.Context, pool querier, tenantID string, pub ed25519.PublicKey) (Verification, error) {
	v := Verification{TenantID: tenantID}
	cps := map[int64]checkpointRow{}
	var headSeq int64
	var headHash []byte
	err := inTenantTx(ctx, pool, tenantID, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT seq, hash, key_id, signature, at FROM change_checkpoints WHERE tenant_id = $1 ORDER BY seq`, tenantID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var c checkpointRow
			if err := rows.Scan(&c.Seq, &c.Hash, &c.KeyID, &c.Signature, &c.At); err != nil {
				return err
			}
			cps[c.Seq] = c
			if v.Checkpoint == nil || c.Seq > v.Checkpoint.Seq {
				v.Checkpoint = &Checkpoint{Seq: c.Seq, Hash: hexOf(c.Hash), KeyID: c.KeyID, Signature: hexOf(c.Signature), At: c.At,
					Valid: VerifyCheckpoint(pub, tenantID, c.Seq, c.Hash, c.Signature)}
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		err = tx.QueryRow(ctx, `SELECT seq, hash FROM change_heads WHERE tenant_id = $1`, tenantID).Scan(&headSeq, &headHash)
		if err == pgx.ErrNoRows {
			return nil
		}
		return err
	})
	if err != nil {
		return v, err
	}
	bad := func(seq int64, problem string) (Verification, error) {
		v.FirstBad, v.Problem = &seq, problem
		return v, nil
	}
	for _, seq := range slices.Sorted(maps.Keys(cps)) { // the first bad one is named
		c := cps[seq]
		if !VerifyCheckpoint(pub, tenantID, c.Seq, c.Hash, c.Signature) {
			return bad(c.Seq, fmt.Sprintf("the checkpoint at seq %d is not signed by this key (%s)", c.Seq, KeyID(pub)))
		}
	}
	prev := genesis
	var last int64
	next := fetchPage(ctx, pool, tenantID, 0)
	for {
		page := <-next
		if page.err != nil {
			return v, page.err
		}
		if len(page.rows) == verifyPage { // read the next page while this one is checked
			next = fetchPage(ctx, pool, tenantID, page.rows[len(page.rows)-1].Seq)
		}
		hashOK := checkHashes(page.rows)
		for i := range page.rows {
			r := &page.rows[i]
			var p string
			switch {
			case r.Seq != last+1:
				p = fmt.Sprintf("seq %d follows %d: events are missing", r.Seq, last)
				r.Seq = last + 1
			case !bytes.Equal(r.prevHash, prev):
				p = "its prev_hash is not the hash of the event before it"
			case !hashOK[i]:
				p = "its columns do not match its hash (the row was changed)"
			}
			if c, ok := cps[r.Seq]; p == "" && ok && !bytes.Equal(c.Hash, r.hash) {
				p = "its hash is not the one its signed checkpoint holds"
			}
			if p != "" {
				return bad(r.Seq, p)
			}
			prev, last = r.hash, r.Seq
			v.Events++
		}
		if len(page.rows) < verifyPage {
			break
		}
	}
	if v.FirstBad != nil {
		return v, nil
	}
	switch {
	case headSeq > last:
		return bad(last+1, fmt.Sprintf("the chain's head says %d events, the log holds %d: events are missing", headSeq, last))
	case headSeq == last && last > 0 && !bytes.Equal(headHash, prev):
		return bad(last, "the chain's head holds another hash than the last event")
	}
	for _, seq := range slices.Sorted(maps.Keys(cps)) {
		if seq > last {
			return bad(last+1, fmt.Sprintf("a signed checkpoint names seq %d, past the last event %d: events are missing", seq, last))
		}
	}
	v.OK = true
	return v, nil
}

// chainRow is a row as read for verification.
type chainRow struct {
	Link
	prevHash, hash []byte
}

type page struct {
	rows []chainRow
	err  error
}

// fetchPage reads the rows after seq in a short transaction of its own, in
// the background.
func fetchPage(ctx context.Context, pool querier, tenantID string, after int64) <-chan page {
	out := make(chan page, 1)
	go func() {
		var p page
		p.err = inTenantTx(ctx, pool, tenantID, func(tx pgx.Tx) error {
			var err error
			p.rows, err = copyRows(ctx, tx, tenantID, after, verifyPage)
			return err
		})
		out <- p
	}()
	return out
}

// uuidText is a UUID's canonical lower-case text, "" for NULL.
func uuidText(u pgtype.UUID) string {
	if !u.Valid {
		return ""
	}
	var buf [36]byte
	hex.Encode(buf[0:8], u.Bytes[0:4])
	buf[8] = '-'
	hex.Encode(buf[9:13], u.Bytes[4:6])
	buf[13] = '-'
	hex.Encode(buf[14:18], u.Bytes[6:8])
	buf[18] = '-'
	hex.Encode(buf[19:23], u.Bytes[8:10])
	buf[23] = '-'
	hex.Encode(buf[24:], u.Bytes[10:])
	return string(buf[:])
}

// checkHashes recomputes each row's hash from its own prev_hash and columns,
// on every core (the links between rows are checked in order by the caller).
func checkHashes(rows []chainRow) []bool {
	ok := make([]bool, len(rows))
	workers := runtime.GOMAXPROCS(0)
	chunk := (len(rows) + workers - 1) / workers
	var wg sync.WaitGroup
	for start := 0; start < len(rows); start += chunk {
		wg.Add(1)
		go func(part []chainRow, ok []bool) {
			defer wg.Done()
			var h hasher
			for i := range part {
				sum := h.next(part[i].prevHash, &part[i].Link)
				ok[i] = bytes.Equal(sum[:], part[i].hash)
			}
		}(rows[start:min(start+chunk, len(rows))], ok[start:min(start+chunk, len(rows))])
	}
	wg.Wait()
	return ok
}

// inTenantTx runs fn in a read-only transaction that declares the tenant.
func inTenantTx(ctx context.Context, pool querier, tenantID string, fn func(pgx.Tx) error) error {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SET TRANSACTION READ ONLY`); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `SELECT set_config('app.tenant_id', $1, true)`, tenantID); err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}
