CREATE TABLE `sample_blocks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`edge` text NOT NULL,
	`outbox` text NOT NULL,
	`seq` integer NOT NULL,
	`received_at` integer NOT NULL,
	`min_ts` integer NOT NULL,
	`max_ts` integer NOT NULL,
	`count` integer NOT NULL,
	`data` blob NOT NULL
);
--> statement-breakpoint
CREATE INDEX `sample_blocks_edge_seq` ON `sample_blocks` (`edge`,`seq`);--> statement-breakpoint
CREATE INDEX `sample_blocks_received` ON `sample_blocks` (`received_at`);--> statement-breakpoint
CREATE TABLE `sample_chunks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`point` text NOT NULL,
	`hour` integer NOT NULL,
	`from_ts` integer NOT NULL,
	`to_ts` integer NOT NULL,
	`count` integer NOT NULL,
	`data` blob NOT NULL
);
--> statement-breakpoint
CREATE INDEX `sample_chunks_point_hour` ON `sample_chunks` (`point`,`hour`);