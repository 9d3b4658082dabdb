CREATE TABLE `edge_outboxes` (
	`edge` text NOT NULL,
	`outbox` text NOT NULL,
	`first_seen` integer NOT NULL,
	`acked_through` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`edge`, `outbox`)
);
--> statement-breakpoint
CREATE TABLE `outbox_replacements` (
	`edge` text NOT NULL,
	`new_outbox` text NOT NULL,
	`old_outbox` text NOT NULL,
	`last_seq` integer,
	`last_ts` integer,
	`seen_at` integer NOT NULL,
	PRIMARY KEY(`edge`, `new_outbox`)
);
--> statement-breakpoint
CREATE INDEX `outbox_replacements_seen_at` ON `outbox_replacements` (`seen_at`);--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_batches` (
	`edge` text NOT NULL,
	`outbox` text DEFAULT '' NOT NULL,
	`seq` integer NOT NULL,
	`session` text NOT NULL,
	`hash` text,
	`max_ts` integer,
	`floor` integer NOT NULL,
	`received_at` integer NOT NULL,
	`sample_count` integer NOT NULL,
	`evaluated` integer DEFAULT true NOT NULL,
	`alarms` text,
	`pending_samples` text,
	`historical` integer DEFAULT false NOT NULL,
	PRIMARY KEY(`edge`, `outbox`, `seq`)
);
--> statement-breakpoint
-- HAND-EDITED (outbox identity, issue 13): drizzle-kit copied the new columns from the old table,
-- which has none of them. Existing batches belong to the legacy outbox '' (no hash, no max_ts).
INSERT INTO `__new_batches`("edge", "outbox", "seq", "session", "hash", "max_ts", "floor", "received_at", "sample_count", "evaluated", "alarms", "pending_samples", "historical") SELECT "edge", '', "seq", "session", NULL, NULL, "floor", "received_at", "sample_count", "evaluated", "alarms", "pending_samples", "historical" FROM `batches`;--> statement-breakpoint
DROP TABLE `batches`;--> statement-breakpoint
ALTER TABLE `__new_batches` RENAME TO `batches`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
ALTER TABLE `edges` ADD `outbox_id` text;--> statement-breakpoint
ALTER TABLE `replay_state` ADD `outbox` text DEFAULT '' NOT NULL;--> statement-breakpoint
-- ===== BEGIN DATA BACKFILL (hand-written, outbox identity, issue 13) =====
-- Each known edge's mark becomes the mark of its legacy outbox ''. The first outbox id the edge
-- names afterwards adopts the legacy rows (cloud/store/sqlite/outboxes.ts): no gap is recorded.
INSERT INTO `edge_outboxes` (`edge`, `outbox`, `first_seen`, `acked_through`) SELECT `id`, '', coalesce(`last_seen`, 0), `acked_through` FROM `edges`;
-- ===== END DATA BACKFILL =====
