ALTER TABLE "camera_events" ADD COLUMN "online" boolean;--> statement-breakpoint
ALTER TABLE "cameras" ADD COLUMN "plan_x" double precision;--> statement-breakpoint
ALTER TABLE "cameras" ADD COLUMN "plan_y" double precision;--> statement-breakpoint
ALTER TABLE "cameras" ADD COLUMN "lon" double precision;--> statement-breakpoint
ALTER TABLE "cameras" ADD COLUMN "lat" double precision;--> statement-breakpoint
ALTER TABLE "enterprises" ADD COLUMN "plan_x" double precision;--> statement-breakpoint
ALTER TABLE "enterprises" ADD COLUMN "plan_y" double precision;--> statement-breakpoint
ALTER TABLE "enterprises" ADD COLUMN "lon" double precision;--> statement-breakpoint
ALTER TABLE "enterprises" ADD COLUMN "lat" double precision;--> statement-breakpoint
ALTER TABLE "hazard_sources" ADD COLUMN "plan_x" double precision;--> statement-breakpoint
ALTER TABLE "hazard_sources" ADD COLUMN "plan_y" double precision;--> statement-breakpoint
ALTER TABLE "hazard_sources" ADD COLUMN "lon" double precision;--> statement-breakpoint
ALTER TABLE "hazard_sources" ADD COLUMN "lat" double precision;