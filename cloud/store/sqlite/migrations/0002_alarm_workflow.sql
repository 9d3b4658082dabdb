CREATE TABLE `alarm_timeline` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`alarm` integer NOT NULL,
	`at` integer NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`detail` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `alarm_timeline_alarm` ON `alarm_timeline` (`alarm`,`id`);--> statement-breakpoint
ALTER TABLE `alarms` ADD `disposal` text;--> statement-breakpoint
ALTER TABLE `alarms` ADD `closed_at` integer;--> statement-breakpoint
CREATE INDEX `alarms_closed` ON `alarms` (`closed_at`);