CREATE TABLE "early_inputs" (
	"message_id" text PRIMARY KEY NOT NULL,
	"order_id" text NOT NULL,
	"message" jsonb NOT NULL,
	"received_at" text NOT NULL
);
--> statement-breakpoint
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
CREATE TABLE "saga_trace" (
	"seq" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "saga_trace_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"order_id" text NOT NULL,
	"message_id" text NOT NULL,
	"causation_id" text,
	"type" text NOT NULL,
	"producer" text NOT NULL,
	"instance" text,
	"consumer" text NOT NULL,
	"direction" text NOT NULL,
	"outcome" text NOT NULL,
	"note" text,
	"occurred_at" text NOT NULL,
	"recorded_at" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sagas" (
	"order_id" text PRIMARY KEY NOT NULL,
	"status" text NOT NULL,
	"version" integer NOT NULL,
	"state" jsonb NOT NULL,
	"next_deadline_at" text,
	"started_at" text NOT NULL,
	"updated_at" text NOT NULL,
	"traceparent" text
);
--> statement-breakpoint
CREATE INDEX "early_inputs_order" ON "early_inputs" USING btree ("order_id","received_at");--> statement-breakpoint
CREATE INDEX "inbox_handled_at" ON "inbox" USING btree ("handled_at");--> statement-breakpoint
CREATE INDEX "saga_trace_order" ON "saga_trace" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "saga_trace_recorded_at" ON "saga_trace" USING btree ("recorded_at");--> statement-breakpoint
CREATE INDEX "sagas_status" ON "sagas" USING btree ("status","started_at");--> statement-breakpoint
CREATE INDEX "sagas_started" ON "sagas" USING btree ("started_at","order_id");--> statement-breakpoint
CREATE INDEX "sagas_next_deadline" ON "sagas" USING btree ("next_deadline_at");