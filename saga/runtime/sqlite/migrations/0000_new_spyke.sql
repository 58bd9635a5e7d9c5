CREATE TABLE `inbox` (
	`message_id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`handled_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `outbox` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`message_id` text NOT NULL,
	`type` text NOT NULL,
	`payload` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_message_id_unique` ON `outbox` (`message_id`);--> statement-breakpoint
CREATE TABLE `saga_steps` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`order_id` text NOT NULL,
	`step` text NOT NULL,
	`outcome` text NOT NULL,
	`message_id` text NOT NULL,
	`at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `saga_steps_order` ON `saga_steps` (`order_id`);--> statement-breakpoint
CREATE TABLE `saga_trace` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`order_id` text NOT NULL,
	`message_id` text NOT NULL,
	`causation_id` text,
	`type` text NOT NULL,
	`producer` text NOT NULL,
	`consumer` text NOT NULL,
	`direction` text NOT NULL,
	`outcome` text NOT NULL,
	`note` text,
	`occurred_at` text NOT NULL,
	`recorded_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `saga_trace_order` ON `saga_trace` (`order_id`);--> statement-breakpoint
CREATE TABLE `sagas` (
	`order_id` text PRIMARY KEY NOT NULL,
	`status` text NOT NULL,
	`version` integer NOT NULL,
	`state` text NOT NULL,
	`started_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `sagas_status` ON `sagas` (`status`,`started_at`);