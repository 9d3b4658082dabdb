DROP INDEX `notification_deliveries_once`;--> statement-breakpoint
ALTER TABLE `notification_deliveries` ADD `reason` text DEFAULT 'alarm' NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `notification_deliveries_once` ON `notification_deliveries` (`alarm`,`recipient`,`channel`,`n`,`reason`);