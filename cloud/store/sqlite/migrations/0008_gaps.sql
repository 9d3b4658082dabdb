CREATE TABLE `gaps` (
	`edge` text NOT NULL,
	`from_seq` integer NOT NULL,
	`through_seq` integer NOT NULL,
	`reason` text NOT NULL,
	`batches` integer NOT NULL,
	`samples` integer NOT NULL,
	`from_ts` integer NOT NULL,
	`to_ts` integer NOT NULL,
	`points` text NOT NULL,
	`dropped_at` integer NOT NULL,
	`received_at` integer NOT NULL,
	PRIMARY KEY(`edge`, `from_seq`)
);
--> statement-breakpoint
CREATE INDEX `gaps_to_ts` ON `gaps` (`to_ts`);