ALTER TABLE `points` ADD `range` text;--> statement-breakpoint
ALTER TABLE `points` ADD `source_limits` text;--> statement-breakpoint
ALTER TABLE `points` ADD `limits_from_source` integer DEFAULT false NOT NULL;