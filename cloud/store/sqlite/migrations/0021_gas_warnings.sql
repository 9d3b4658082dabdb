CREATE TABLE `gas_warnings` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`area` text NOT NULL,
	`enterprise` text,
	`public_area` integer DEFAULT false NOT NULL,
	`colour` text NOT NULL,
	`state` text NOT NULL,
	`opened_at` integer NOT NULL,
	`colour_since` integer NOT NULL,
	`reasons` text NOT NULL,
	`active` text NOT NULL,
	`acknowledged_at` integer,
	`acknowledged_by` text,
	`notice_due_at` integer,
	`notice_sent_at` integer,
	`report` text,
	`cleared_at` integer,
	`cleared_by` text,
	`history` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `gas_warnings_one_open` ON `gas_warnings` (`area`) WHERE state = 'open';--> statement-breakpoint
CREATE INDEX `gas_warnings_opened` ON `gas_warnings` (`opened_at`);