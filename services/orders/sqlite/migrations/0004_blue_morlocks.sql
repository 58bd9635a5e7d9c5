DROP INDEX `orders_status`;--> statement-breakpoint
CREATE INDEX `orders_user_status_created` ON `orders` (`user_id`,`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `orders_status_created` ON `orders` (`status`,`created_at`);