CREATE TABLE "devices" (
	"id" text PRIMARY KEY NOT NULL,
	"enterprise" text NOT NULL,
	"name" text NOT NULL,
	"category" text NOT NULL,
	"type" text,
	"enabled" boolean DEFAULT true NOT NULL,
	"lon" double precision,
	"lat" double precision,
	"location" text,
	"coverage_radius_m" double precision,
	"commissioned_on" text,
	"parking_lot" text,
	"parking_area" text,
	"managed" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
ALTER TABLE "points" ADD COLUMN "indicator_type" text;--> statement-breakpoint
ALTER TABLE "points" ADD COLUMN "monitor_device" text;--> statement-breakpoint
ALTER TABLE "points" ADD COLUMN "lon" double precision;--> statement-breakpoint
ALTER TABLE "points" ADD COLUMN "lat" double precision;