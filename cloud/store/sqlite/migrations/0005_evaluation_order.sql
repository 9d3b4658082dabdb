ALTER TABLE `batches` ADD `evaluated` integer DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE `batches` ADD `alarms` text;