ALTER TABLE `audit_log` ADD `chain_hash` text;--> statement-breakpoint
-- Hand-written (issue 20), keep when regenerating: the append-only trigger of 0011 now lets an
-- UPDATE through only on a row that has no chain hash yet, so the pre-existing rows can be given
-- theirs once. The backfill itself is done IN CODE at open, right after the migrations
-- (backfillAuditChain in cloud/store/sqlite/audit-chain.ts): SQLite has no SM3.
DROP TRIGGER `audit_log_no_update`;--> statement-breakpoint
CREATE TRIGGER `audit_log_no_update` BEFORE UPDATE ON `audit_log` WHEN OLD.`chain_hash` IS NOT NULL BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
