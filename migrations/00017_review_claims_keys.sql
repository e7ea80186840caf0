-- +goose Up
-- Claims, measured under bench-review (20 reviewers, 1,000,000 pending items).
--
-- A claim is written only by the review service, only for an item row the same
-- statement (Claim) or transaction (Bulk, and Undo, which updates the row)
-- holds locked, in that row's tenant, and review items are never deleted. The claim's keys checked
-- that again for every item claimed, and were the largest part of the slowest
-- claims:
--   - the key to tenants took a share lock on the tenant's row for each item,
--     so every claim of a tenant locked that one row, which its concurrent
--     transactions then share (a multixact each time one more joins): 2-18 ms
--     of some claims;
--   - the key to review_items looked each item up again in its primary key,
--     keyed by random ids, whose leaf pages are rarely in shared buffers: about
--     2 ms for a batch of 10 on average (10 index pages read), 10-27 ms at worst.
-- The key to users stays (a reviewer's own row: no other reviewer locks it).
ALTER TABLE review_claims DROP CONSTRAINT review_claims_tenant_id_fkey;
ALTER TABLE review_claims DROP CONSTRAINT review_claims_tenant_id_item_id_fkey;

-- The table holds a few rows per reviewer and every claim inserts rows that a
-- decision deletes, so by default autovacuum vacuumed and analyzed it every
-- minute. Each time, every connection's cached plans that read it were
-- invalidated, and each connection's next claim planned again (2-12 ms, a
-- claim's slowest part). Dead claims are now left to pile up to 10,000 (under
-- a megabyte) first; the planner needs no statistics of it beyond its size.
ALTER TABLE review_claims SET (autovacuum_vacuum_threshold = 10000, autovacuum_vacuum_insert_threshold = 10000,
    autovacuum_analyze_threshold = 10000);

-- +goose Down
ALTER TABLE review_claims RESET (autovacuum_vacuum_threshold, autovacuum_vacuum_insert_threshold, autovacuum_analyze_threshold);
ALTER TABLE review_claims ADD CONSTRAINT review_claims_tenant_id_item_id_fkey
    FOREIGN KEY (tenant_id, item_id) REFERENCES review_items (tenant_id, id);
ALTER TABLE review_claims ADD CONSTRAINT review_claims_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id);
