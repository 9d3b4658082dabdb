CREATE TABLE `unevaluated` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`point` text NOT NULL,
	`edge` text NOT NULL,
	`seq` integer NOT NULL,
	`reason` text NOT NULL,
	`count` integer NOT NULL,
	`from_ts` integer NOT NULL,
	`to_ts` integer NOT NULL,
	`evaluated_through` integer,
	`received_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `unevaluated_point_ts` ON `unevaluated` (`point`,`to_ts`);--> statement-breakpoint
ALTER TABLE `edges` ADD `clock_offset_ms` integer;--> statement-breakpoint
ALTER TABLE `edges` ADD `clock_checked_at` integer;