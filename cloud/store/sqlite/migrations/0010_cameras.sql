CREATE TABLE `camera_events` (
	`id` text PRIMARY KEY NOT NULL,
	`camera` text NOT NULL,
	`edge` text NOT NULL,
	`type` text NOT NULL,
	`ts` integer NOT NULL,
	`topic` text,
	`code` text,
	`alarm` integer,
	`snapshot_error` text
);
--> statement-breakpoint
CREATE INDEX `camera_events_camera_ts` ON `camera_events` (`camera`,`ts`);--> statement-breakpoint
CREATE TABLE `cameras` (
	`id` text PRIMARY KEY NOT NULL,
	`edge` text NOT NULL,
	`site` text NOT NULL,
	`name` text,
	`area` text NOT NULL,
	`enterprise` text,
	`host` text NOT NULL,
	`port` integer NOT NULL,
	`online` integer,
	`since` integer,
	`reason` text,
	`last_event_at` integer
);
--> statement-breakpoint
CREATE TABLE `snapshots` (
	`id` text PRIMARY KEY NOT NULL,
	`camera` text NOT NULL,
	`event` text NOT NULL,
	`alarm` integer,
	`ts` integer NOT NULL,
	`bytes` integer NOT NULL,
	`sha256` text NOT NULL,
	`received_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `snapshots_alarm` ON `snapshots` (`alarm`);--> statement-breakpoint
CREATE INDEX `snapshots_camera_ts` ON `snapshots` (`camera`,`ts`);