CREATE TABLE `retention_runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`kind` text NOT NULL,
	`cutoff` integer NOT NULL,
	`removed` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `retention_runs_at` ON `retention_runs` (`at`);--> statement-breakpoint
CREATE TABLE `rollups_1h` (
	`point` text NOT NULL,
	`start` integer NOT NULL,
	`count` integer NOT NULL,
	`min` real,
	`max` real,
	`sum` real NOT NULL,
	`last` real,
	`last_ts` integer,
	`not_good` integer NOT NULL,
	PRIMARY KEY(`point`, `start`)
);
--> statement-breakpoint
CREATE INDEX `rollups_1h_start` ON `rollups_1h` (`start`);--> statement-breakpoint
CREATE TABLE `rollups_1m` (
	`point` text NOT NULL,
	`start` integer NOT NULL,
	`count` integer NOT NULL,
	`min` real,
	`max` real,
	`sum` real NOT NULL,
	`last` real,
	`last_ts` integer,
	`not_good` integer NOT NULL,
	PRIMARY KEY(`point`, `start`)
);
--> statement-breakpoint
CREATE INDEX `rollups_1m_start` ON `rollups_1m` (`start`);--> statement-breakpoint
-- ===== Hand-written data backfill (issue 15), keep when regenerating =====
-- The rollups of the samples stored before this version, by the rules of the raw bucket SQL
-- (cloud/store/sqlite/history.ts) and of cloud/store/historian/rollup.ts: count/min/max/sum/last
-- over good samples with a numeric value, not_good = samples whose quality is not good.
-- From here on ingest maintains them (cloud/store/sqlite/rollups.ts).
INSERT INTO `rollups_1m` (`point`, `start`, `count`, `min`, `max`, `sum`, `last`, `last_ts`, `not_good`)
SELECT `point`, `ts` - `ts` % 60000,
       SUM(`quality` = 'good' AND `value` IS NOT NULL),
       MIN(CASE WHEN `quality` = 'good' THEN `value` END),
       MAX(CASE WHEN `quality` = 'good' THEN `value` END),
       COALESCE(SUM(CASE WHEN `quality` = 'good' THEN `value` END), 0),
       NULL,
       MAX(CASE WHEN `quality` = 'good' AND `value` IS NOT NULL THEN `ts` END),
       SUM(`quality` <> 'good')
FROM `samples` GROUP BY `point`, `ts` - `ts` % 60000;
--> statement-breakpoint
UPDATE `rollups_1m` SET `last` = (
  SELECT s.`value` FROM `samples` s
  WHERE s.`point` = `rollups_1m`.`point` AND s.`ts` = `rollups_1m`.`last_ts` AND s.`quality` = 'good' AND s.`value` IS NOT NULL
  ORDER BY s.rowid DESC LIMIT 1)
WHERE `last_ts` IS NOT NULL;
--> statement-breakpoint
INSERT INTO `rollups_1h` (`point`, `start`, `count`, `min`, `max`, `sum`, `last`, `last_ts`, `not_good`)
SELECT `point`, `start` - `start` % 3600000, SUM(`count`), MIN(`min`), MAX(`max`), SUM(`sum`), NULL, MAX(`last_ts`), SUM(`not_good`)
FROM `rollups_1m` GROUP BY `point`, `start` - `start` % 3600000;
--> statement-breakpoint
UPDATE `rollups_1h` SET `last` = (
  SELECT m.`last` FROM `rollups_1m` m
  WHERE m.`point` = `rollups_1h`.`point` AND m.`start` = `rollups_1h`.`last_ts` - `rollups_1h`.`last_ts` % 60000)
WHERE `last_ts` IS NOT NULL;
-- ===== End of the hand-written backfill =====
