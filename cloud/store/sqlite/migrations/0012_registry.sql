CREATE TABLE `areas` (
	`id` text PRIMARY KEY NOT NULL,
	`enterprise` text NOT NULL,
	`name` text NOT NULL,
	`kind` text
);
--> statement-breakpoint
CREATE TABLE `hazard_sources` (
	`id` text PRIMARY KEY NOT NULL,
	`enterprise` text NOT NULL,
	`name` text NOT NULL,
	`level` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `enterprises` ADD `managed` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `points` ADD `managed` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `points` ADD `unit_code` text;--> statement-breakpoint
ALTER TABLE `points` ADD `substance` text;--> statement-breakpoint
ALTER TABLE `points` ADD `cas` text;--> statement-breakpoint
ALTER TABLE `points` ADD `range_low` real;--> statement-breakpoint
ALTER TABLE `points` ADD `range_high` real;--> statement-breakpoint
ALTER TABLE `points` ADD `hazard_source` text;--> statement-breakpoint
ALTER TABLE `points` ADD `area` text;