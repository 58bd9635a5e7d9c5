CREATE TABLE `released_unreserved` (
	`order_id` text PRIMARY KEY NOT NULL,
	`released_at` text NOT NULL
);
--> statement-breakpoint
ALTER TABLE `reservations` ADD `name` text NOT NULL DEFAULT '';
--> statement-breakpoint
UPDATE `reservations` SET `name` = (SELECT `name` FROM `products` WHERE `products`.`id` = `reservations`.`product_id`);
