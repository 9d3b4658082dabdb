CREATE TABLE `alarms` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`point` text NOT NULL,
	`kind` text NOT NULL,
	`priority` text NOT NULL,
	`raised_at` integer NOT NULL,
	`value` real NOT NULL,
	`limit_value` real NOT NULL,
	`recovered_at` integer,
	`recovered_value` real,
	`state` text DEFAULT 'active' NOT NULL
);
--> statement-breakpoint
CREATE INDEX `alarms_state_raised` ON `alarms` (`state`,`raised_at`);--> statement-breakpoint
CREATE INDEX `alarms_point_raised` ON `alarms` (`point`,`raised_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `alarms_one_active` ON `alarms` (`point`,`kind`) WHERE state = 'active';--> statement-breakpoint
CREATE TABLE `batches` (
	`edge` text NOT NULL,
	`seq` integer NOT NULL,
	`session` text NOT NULL,
	`floor` integer NOT NULL,
	`received_at` integer NOT NULL,
	`sample_count` integer NOT NULL,
	PRIMARY KEY(`edge`, `seq`)
);
--> statement-breakpoint
CREATE TABLE `edges` (
	`id` text PRIMARY KEY NOT NULL,
	`site` text NOT NULL,
	`session` text,
	`online` integer DEFAULT false NOT NULL,
	`last_seen` integer,
	`acked_through` integer DEFAULT 0 NOT NULL,
	`outbox` text,
	`config_hash` text,
	`drivers` text
);
--> statement-breakpoint
CREATE TABLE `enterprises` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `points` (
	`id` text PRIMARY KEY NOT NULL,
	`edge` text,
	`name` text,
	`unit` text,
	`device` text,
	`enterprise` text,
	`class` text,
	`limits` text,
	`registered` integer DEFAULT false NOT NULL,
	`latest_ts` integer,
	`latest_value` real,
	`latest_text` text,
	`latest_quality` text,
	`latest_reason` text
);
--> statement-breakpoint
CREATE INDEX `points_enterprise` ON `points` (`enterprise`);--> statement-breakpoint
CREATE TABLE `rule_state` (
	`point` text PRIMARY KEY NOT NULL,
	`state` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `samples` (
	`edge` text NOT NULL,
	`seq` integer NOT NULL,
	`point` text NOT NULL,
	`ts` integer NOT NULL,
	`value` real,
	`value_text` text,
	`quality` text NOT NULL,
	`reason` text
);
--> statement-breakpoint
CREATE INDEX `samples_point_ts` ON `samples` (`point`,`ts`);