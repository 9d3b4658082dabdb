CREATE TABLE `devices` (
	`id` text PRIMARY KEY NOT NULL,
	`enterprise` text NOT NULL,
	`name` text NOT NULL,
	`category` text NOT NULL,
	`type` text,
	`enabled` integer DEFAULT true NOT NULL,
	`lon` real,
	`lat` real,
	`location` text,
	`coverage_radius_m` real,
	`commissioned_on` text,
	`parking_lot` text,
	`parking_area` text,
	`managed` integer DEFAULT false NOT NULL
);
--> statement-breakpoint
ALTER TABLE `points` ADD `indicator_type` text;--> statement-breakpoint
ALTER TABLE `points` ADD `monitor_device` text;--> statement-breakpoint
ALTER TABLE `points` ADD `lon` real;--> statement-breakpoint
ALTER TABLE `points` ADD `lat` real;