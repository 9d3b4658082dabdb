CREATE TABLE "edge_bundles" (
	"edge" text PRIMARY KEY NOT NULL,
	"issued_at" bigint NOT NULL,
	"config_yaml" text NOT NULL,
	"pushed_at" bigint NOT NULL,
	"pushed_by" text NOT NULL,
	"outcome" text,
	"error" jsonb,
	"answered_at" bigint,
	"expected_hash" text,
	"accepted_issued_at" bigint
);
