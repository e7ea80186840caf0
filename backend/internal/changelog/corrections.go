package changelog

import (
	"context"
	"encoding/json"
	"time"
)

// Finding is an applied change that a sample audit found incorrect, with
// the auditor's note.
type Finding struct {
	Seq  int64  `json:"seq"`
	Note string `json:"note"`
}

// RecordAuditFindings records each finding as a correction (kind audit) of
// the change it names, once per change, in the caller's transaction; it
// returns how many it added. user is the auditor's id ("" for none) and
// actor the name shown for them.
func (s *Service) RecordAuditFindings(ctx context.Context, tenantID, userID, actor string, at time.Time, findings []Finding) (int64, error) {
	if len(findings) == 0 {
		return 0, nil
	}
	list, err := json.Marshal(findings)
	if err != nil {
		return 0, err
	}
	res := s.db.Conn(ctx).Exec(`INSERT INTO corrections (tenant_id, change_seq, proposal_id, agent_id, kind, user_id, actor, reason, at)
		SELECT e.tenant_id, e.seq, e.proposal_id, e.agent_id, 'audit', NULLIF(?, '')::uuid, ?, f.note, ?
		FROM jsonb_to_recordset(?::jsonb) AS f(seq bigint, note text)
		JOIN change_events e ON e.tenant_id = ? AND e.seq = f.seq
		ORDER BY f.seq
		ON CONFLICT (tenant_id, change_seq, kind) DO NOTHING`, userID, actor, at, string(list), tenantID)
	return res.RowsAffected, res.Error
}
