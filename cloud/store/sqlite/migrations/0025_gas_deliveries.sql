CREATE TABLE `gas_warning_deliveries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`warning` integer NOT NULL,
	`step` integer NOT NULL,
	`action` text NOT NULL,
	`colour` text NOT NULL,
	`recipient` text NOT NULL,
	`channel` text NOT NULL,
	`due_at` integer NOT NULL,
	`next_at` integer NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`last_error` text,
	`done_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `gas_warning_deliveries_once` ON `gas_warning_deliveries` (`warning`,`step`,`recipient`,`channel`);--> statement-breakpoint
CREATE INDEX `gas_warning_deliveries_due` ON `gas_warning_deliveries` (`status`,`next_at`);