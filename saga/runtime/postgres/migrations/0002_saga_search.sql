CREATE TABLE "saga_products" (
	"product_id" text NOT NULL,
	"started_at" text NOT NULL,
	"order_id" text NOT NULL,
	CONSTRAINT "saga_products_product_id_started_at_order_id_pk" PRIMARY KEY("product_id","started_at","order_id")
);
--> statement-breakpoint
DROP INDEX "sagas_status";--> statement-breakpoint
ALTER TABLE "sagas" ADD COLUMN "customer_id" text;--> statement-breakpoint
ALTER TABLE "sagas" ADD COLUMN "total_cents" bigint;--> statement-breakpoint
ALTER TABLE "sagas" ADD COLUMN "reason" text;--> statement-breakpoint
ALTER TABLE "sagas" ADD COLUMN "ended_at" text;--> statement-breakpoint
ALTER TABLE "sagas" ADD COLUMN "awaiting" text;--> statement-breakpoint
-- Written by hand: the sagas of an older release, searchable after the upgrade, as the SQLite
-- migration 0009_saga_search does it, row for row.
UPDATE "sagas" SET
	"customer_id" = "state"->>'userId',
	"reason" = "state"->'failure'->>'reason',
	"ended_at" = CASE WHEN "status" IN ('CONFIRMED', 'CANCELLED') THEN "updated_at" END,
	"total_cents" = (
		SELECT sum(("line"->>'quantity')::bigint * ("line"->>'unitPriceCents')::bigint)
		FROM jsonb_array_elements(coalesce("state"->'results'->'reserveStock'->'lines', "state"->'priced'->'lines')) AS "line"
	),
	"awaiting" = CASE
		WHEN jsonb_typeof("state"->'steps') = 'object' THEN (
			SELECT ',' || string_agg("step"."key", ',') || ','
			FROM jsonb_each_text("state"->'steps') AS "step"
			WHERE "step"."value" = 'pending'
		)
		ELSE nullif(
			','
			|| CASE "state"->>'user' WHEN 'pending' THEN 'verifyUser,' ELSE '' END
			|| CASE "state"->>'stock' WHEN 'pending' THEN 'reserveStock,' WHEN 'committing' THEN 'commitStock,' WHEN 'releasing' THEN 'releaseStock,' ELSE '' END
			|| CASE "state"->>'payment' WHEN 'pending' THEN 'settlePayment,' WHEN 'refunding' THEN 'refundPayment,' ELSE '' END,
			','
		)
	END;--> statement-breakpoint
INSERT INTO "saga_products" ("product_id", "started_at", "order_id")
	SELECT "item"->>'productId', "sagas"."started_at", "sagas"."order_id"
	FROM "sagas", jsonb_array_elements("sagas"."state"->'items') AS "item"
	ON CONFLICT DO NOTHING;--> statement-breakpoint
CREATE INDEX "sagas_customer" ON "sagas" USING btree ("customer_id","started_at","order_id");--> statement-breakpoint
CREATE INDEX "sagas_reason" ON "sagas" USING btree ("reason","started_at","order_id");--> statement-breakpoint
CREATE INDEX "sagas_total" ON "sagas" USING btree ("total_cents","started_at","order_id");--> statement-breakpoint
CREATE INDEX "sagas_ended" ON "sagas" USING btree ("ended_at","started_at","order_id");--> statement-breakpoint
CREATE INDEX "sagas_status" ON "sagas" USING btree ("status","started_at","order_id");
