CREATE TABLE `replay_state` (
	`point` text PRIMARY KEY NOT NULL,
	`edge` text NOT NULL,
	`state` text,
	`resume_seq` integer NOT NULL,
	`resume_ts` integer NOT NULL,
	`open` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `replay_state_edge` ON `replay_state` (`edge`,`resume_seq`);--> statement-breakpoint
ALTER TABLE `batches` ADD `pending_samples` text;