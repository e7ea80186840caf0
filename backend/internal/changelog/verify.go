package changelog

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
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
	for _, c := range cps {
		if !VerifyCheckpoint(pub, tenantID, c.Seq, c.Hash, c.Signature) {
			return bad(c.Seq, fmt.Sprintf("the checkpoint at seq %d is not signed by this key (%s)", c.Seq, KeyID(pub)))
		}
	}
	prev := genesis
	var last int64
	var h hasher
	var l link
	l.TenantID = tenantID
	for {
		var stop *Verification
		err := inTenantTx(ctx, pool, tenantID, func(tx pgx.Tx) error {
			rows, err := tx.Query(ctx, `SELECT seq, at, connection_id::text, object, record_id, field, before_value, after_value, actor_kind,
				COALESCE(agent_id::text, ''), COALESCE(user_id::text, ''), COALESCE(proposal_id::text, ''), decision_seqs,
				COALESCE(policy_version, 0), COALESCE(reverts, 0), reason, prev_hash, hash
				FROM change_events WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`, tenantID, last, verifyPage)
			if err != nil {
				return err
			}
			defer rows.Close()
			var at time.Time
			var prevHash, hash []byte
			n := 0
			for rows.Next() {
				n++
				if err := rows.Scan(&l.Seq, &at, &l.ConnectionID, &l.Object, &l.RecordID, &l.Field, &l.Before, &l.After, &l.ActorKind,
					&l.AgentID, &l.UserID, &l.ProposalID, &l.DecisionSeqs, &l.PolicyVersion, &l.Reverts, &l.Reason, &prevHash, &hash); err != nil {
					return err
				}
				l.At = at
				var p string
				switch sum := h.next(prev, &l); {
				case l.Seq != last+1:
					p = fmt.Sprintf("seq %d follows %d: events are missing", l.Seq, last)
					l.Seq = last + 1
				case !bytes.Equal(prevHash, prev):
					p = "its prev_hash is not the hash of the event before it"
				case !bytes.Equal(hash, sum[:]):
					p = "its columns do not match its hash (the row was changed)"
				}
				if c, ok := cps[l.Seq]; p == "" && ok && !bytes.Equal(c.Hash, hash) {
					p = "its hash is not the one its signed checkpoint holds"
				}
				if p != "" {
					r, _ := bad(l.Seq, p)
					stop = &r
					return nil
				}
				prev, last = hash, l.Seq
				v.Events++
			}
			if err := rows.Err(); err != nil {
				return err
			}
			if n < verifyPage {
				r := v
				stop = &r
			}
			return nil
		})
		if err != nil {
			return v, err
		}
		if stop != nil {
			v = *stop
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
	for seq := range cps {
		if seq > last {
			return bad(last+1, fmt.Sprintf("a signed checkpoint names seq %d, past the last event %d: events are missing", seq, last))
		}
	}
	v.OK = true
	return v, nil
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
