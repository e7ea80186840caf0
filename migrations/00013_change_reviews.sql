-- +goose Up
-- What an auditor asks of a change's review — the route's reasons, whether the
-- quorum was met, whether the decision met its SLA, who approved — is fixed
-- once the change is applied. It is written beside the change event in the
-- same transaction (keyed by seq), so an export reads it with the log, by its
-- key, instead of looking up each page's proposals and review items by their
-- random ids. The app role may only add rows, as to the log. (A change
-- appended by an app copy older than this table while it was being added has
-- no row: exports work its facts out with change_review_facts.)
CREATE TABLE change_reviews (
    tenant_id     uuid NOT NULL,
    seq           bigint NOT NULL,
    route_reasons text NOT NULL DEFAULT '',     -- the policy's reason codes, "; "-separated
    quorum_met    boolean,                      -- NULL: no person reviewed it
    sla_met       boolean,                      -- NULL: not decided by a person
    approver_ids  uuid[] NOT NULL DEFAULT '{}', -- in decision order
    PRIMARY KEY (tenant_id, seq),
    FOREIGN KEY (tenant_id, seq) REFERENCES change_events (tenant_id, seq)
);

-- The review facts of the tenant's change events lo..hi that came from a
-- proposal, as of now (the append's transaction).
-- +goose StatementBegin
CREATE FUNCTION change_review_facts(p_tenant uuid, p_lo bigint, p_hi bigint)
RETURNS TABLE (tenant_id uuid, seq bigint, route_reasons text, quorum_met boolean, sla_met boolean, approver_ids uuid[])
LANGUAGE sql STABLE AS $$
    SELECT e.tenant_id, e.seq,
           COALESCE((SELECT string_agg(x->>'code', '; ') FROM jsonb_array_elements(p.reasons) x), ''),
           CASE WHEN ri.proposal_id IS NOT NULL THEN COALESCE(cardinality(ri.approved_by), 0) >= ri.approvals_required END,
           CASE WHEN ri.decided_at IS NOT NULL THEN COALESCE(ri.decided_at <= ri.due_at AND ri.escalated_at IS NULL, false) END,
           ARRAY(SELECT d.user_id FROM review_decisions d
                 WHERE d.tenant_id = e.tenant_id AND d.seq = ANY (e.decision_seqs) AND d.verdict IN ('approve', 'edit')
                   AND d.user_id IS NOT NULL
                 ORDER BY array_position(e.decision_seqs, d.seq))
    FROM change_events e
    JOIN proposals p ON p.tenant_id = e.tenant_id AND p.id = e.proposal_id
    LEFT JOIN review_items ri ON ri.tenant_id = p.tenant_id AND ri.proposal_id = p.id
    WHERE e.tenant_id = p_tenant AND e.seq BETWEEN p_lo AND p_hi
$$;
-- +goose StatementEnd

-- +goose StatementBegin
DO $$
DECLARE
    t uuid;
BEGIN
    ALTER TABLE change_reviews ENABLE ROW LEVEL SECURITY;
    ALTER TABLE change_reviews FORCE ROW LEVEL SECURITY;
    CREATE POLICY tenant_isolation ON change_reviews USING (tenant_id = (SELECT current_setting('app.tenant_id')::uuid));
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'countersign_app') THEN
        REVOKE UPDATE, DELETE, TRUNCATE ON change_reviews FROM countersign_app;
    END IF;
    -- the changes logged before this table: each tenant's, as that tenant
    FOR t IN SELECT id FROM tenants LOOP
        PERFORM set_config('app.tenant_id', t::text, true);
        INSERT INTO change_reviews SELECT * FROM change_review_facts(t, 1, 9223372036854775807);
    END LOOP;
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE change_reviews;
DROP FUNCTION change_review_facts(uuid, bigint, bigint);
