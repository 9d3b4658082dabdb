CREATE TABLE `registry_edges` (
	`id` text PRIMARY KEY NOT NULL,
	`site` text NOT NULL,
	`enterprise` text,
	`claim` text,
	`managed` integer DEFAULT false NOT NULL
);
