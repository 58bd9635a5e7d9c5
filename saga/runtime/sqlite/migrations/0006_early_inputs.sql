CREATE TABLE `early_inputs` (
	`message_id` text PRIMARY KEY NOT NULL,
	`order_id` text NOT NULL,
	`message` text NOT NULL,
	`received_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `early_inputs_order` ON `early_inputs` (`order_id`,`received_at`);