CREATE TABLE "inbox" (
	"message_id" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"handled_at" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"seq" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "outbox_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"message_id" text NOT NULL,
	"type" text NOT NULL,
	"payload" text NOT NULL,
	"created_at" text NOT NULL,
	"claimed_until" timestamp with time zone,
	CONSTRAINT "outbox_message_id_unique" UNIQUE("message_id")
);
--> statement-breakpoint
CREATE TABLE "products" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"description" text NOT NULL,
	"price_cents" bigint NOT NULL,
	"stock" bigint NOT NULL,
	"reserved" bigint NOT NULL,
	"sold" bigint NOT NULL,
	"received" bigint NOT NULL,
	"archived_at" text,
	"created_at" text NOT NULL,
	"updated_at" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "released_unreserved" (
	"order_id" text PRIMARY KEY NOT NULL,
	"released_at" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reservations" (
	"order_id" text NOT NULL,
	"product_id" text NOT NULL,
	"quantity" integer NOT NULL,
	"name" text NOT NULL,
	"unit_price_cents" bigint NOT NULL,
	"status" text NOT NULL,
	"updated_at" text NOT NULL,
	CONSTRAINT "reservations_order_id_product_id_pk" PRIMARY KEY("order_id","product_id")
);
--> statement-breakpoint
CREATE TABLE "stock_rejections" (
	"order_id" text PRIMARY KEY NOT NULL,
	"product_id" text NOT NULL,
	"reason" text NOT NULL,
	"rejected_at" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "inbox_handled_at" ON "inbox" USING btree ("handled_at");