CREATE TABLE `edge_bundles` (
	`edge` text PRIMARY KEY NOT NULL,
	`issued_at` integer NOT NULL,
	`config_yaml` text NOT NULL,
	`pushed_at` integer NOT NULL,
	`pushed_by` text NOT NULL,
	`outcome` text,
	`error` text,
	`answered_at` integer,
	`expected_hash` text,
	`accepted_issued_at` integer
);
