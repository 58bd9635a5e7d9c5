CREATE TABLE `stock_rejections` (
	`order_id` text PRIMARY KEY NOT NULL,
	`product_id` text NOT NULL,
	`reason` text NOT NULL,
	`rejected_at` text NOT NULL
);
