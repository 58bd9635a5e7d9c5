CREATE TABLE `refunded_uncharged` (
	`order_id` text PRIMARY KEY NOT NULL,
	`refunded_at` text NOT NULL
);
