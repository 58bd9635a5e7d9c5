ALTER TABLE "saga_trace" ADD COLUMN "data" text;--> statement-breakpoint
ALTER TABLE "saga_trace" ADD COLUMN "change" text;