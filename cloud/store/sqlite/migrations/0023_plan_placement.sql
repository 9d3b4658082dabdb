ALTER TABLE `camera_events` ADD `online` integer;--> statement-breakpoint
ALTER TABLE `cameras` ADD `plan_x` real;--> statement-breakpoint
ALTER TABLE `cameras` ADD `plan_y` real;--> statement-breakpoint
ALTER TABLE `cameras` ADD `lon` real;--> statement-breakpoint
ALTER TABLE `cameras` ADD `lat` real;--> statement-breakpoint
ALTER TABLE `enterprises` ADD `plan_x` real;--> statement-breakpoint
ALTER TABLE `enterprises` ADD `plan_y` real;--> statement-breakpoint
ALTER TABLE `enterprises` ADD `lon` real;--> statement-breakpoint
ALTER TABLE `enterprises` ADD `lat` real;--> statement-breakpoint
ALTER TABLE `hazard_sources` ADD `plan_x` real;--> statement-breakpoint
ALTER TABLE `hazard_sources` ADD `plan_y` real;--> statement-breakpoint
ALTER TABLE `hazard_sources` ADD `lon` real;--> statement-breakpoint
ALTER TABLE `hazard_sources` ADD `lat` real;