CREATE TABLE `alarm_suppressions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`window` integer NOT NULL,
	`point` text NOT NULL,
	`kind` text NOT NULL,
	`priority` text NOT NULL,
	`ts` integer NOT NULL,
	`value` real NOT NULL
);
--> statement-breakpoint
CREATE INDEX `alarm_suppressions_window` ON `alarm_suppressions` (`window`);--> statement-breakpoint
CREATE TABLE `maintenance_windows` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`enterprise` text NOT NULL,
	`points` text NOT NULL,
	`from_ts` integer NOT NULL,
	`to_ts` integer NOT NULL,
	`reason` text NOT NULL,
	`requested_by` text NOT NULL,
	`requested_at` integer NOT NULL,
	`status` text NOT NULL,
	`decided_by` text,
	`decided_at` integer,
	`decision_note` text
);
--> statement-breakpoint
CREATE INDEX `maintenance_windows_status_to` ON `maintenance_windows` (`status`,`to_ts`);