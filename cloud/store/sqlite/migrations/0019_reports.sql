CREATE TABLE `reports` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`title` text NOT NULL,
	`from_ts` integer NOT NULL,
	`to_ts` integer NOT NULL,
	`params` text NOT NULL,
	`files` text NOT NULL,
	`empty` integer NOT NULL,
	`trigger` text NOT NULL,
	`requested_by` text NOT NULL,
	`generated_at` integer NOT NULL,
	`duration_ms` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `reports_name_period` ON `reports` (`name`,`from_ts`,`to_ts`);--> statement-breakpoint
CREATE INDEX `reports_generated` ON `reports` (`generated_at`);