CREATE TABLE `saga_products` (
	`product_id` text NOT NULL,
	`started_at` text NOT NULL,
	`order_id` text NOT NULL,
	PRIMARY KEY(`product_id`, `started_at`, `order_id`)
);
--> statement-breakpoint
DROP INDEX `sagas_status`;--> statement-breakpoint
ALTER TABLE `sagas` ADD `customer_id` text;--> statement-breakpoint
ALTER TABLE `sagas` ADD `total_cents` integer;--> statement-breakpoint
ALTER TABLE `sagas` ADD `reason` text;--> statement-breakpoint
ALTER TABLE `sagas` ADD `ended_at` text;--> statement-breakpoint
ALTER TABLE `sagas` ADD `awaiting` text;--> statement-breakpoint
-- Written by hand: the sagas of an older release, searchable after the upgrade. Each column as
-- facetsOf (saga/decider/facets.ts) reads it, off the state in today's shape or in the lanes of
-- the releases before the step table (saga/decider/upcast.ts); the priced lines are those of
-- reserveStock, the step of table 1 that prices them. A saga ended when it was last saved.
UPDATE `sagas` SET
	`customer_id` = json_extract(`state`, '$.userId'),
	`reason` = json_extract(`state`, '$.failure.reason'),
	`ended_at` = CASE WHEN `status` IN ('CONFIRMED', 'CANCELLED') THEN `updated_at` END,
	`total_cents` = (
		SELECT sum(json_extract(`line`.`value`, '$.quantity') * json_extract(`line`.`value`, '$.unitPriceCents'))
		FROM json_each(coalesce(json_extract(`state`, '$.results.reserveStock.lines'), json_extract(`state`, '$.priced.lines'))) AS `line`
	),
	`awaiting` = CASE
		WHEN json_type(`state`, '$.steps') = 'object' THEN (
			SELECT ',' || group_concat(`step`.`key`, ',') || ','
			FROM json_each(`state`, '$.steps') AS `step`
			WHERE `step`.`value` = 'pending'
		)
		ELSE nullif(
			','
			|| CASE json_extract(`state`, '$.user') WHEN 'pending' THEN 'verifyUser,' ELSE '' END
			|| CASE json_extract(`state`, '$.stock') WHEN 'pending' THEN 'reserveStock,' WHEN 'committing' THEN 'commitStock,' WHEN 'releasing' THEN 'releaseStock,' ELSE '' END
			|| CASE json_extract(`state`, '$.payment') WHEN 'pending' THEN 'settlePayment,' WHEN 'refunding' THEN 'refundPayment,' ELSE '' END,
			','
		)
	END;--> statement-breakpoint
INSERT OR IGNORE INTO `saga_products` (`product_id`, `started_at`, `order_id`)
	SELECT json_extract(`item`.`value`, '$.productId'), `sagas`.`started_at`, `sagas`.`order_id`
	FROM `sagas`, json_each(`sagas`.`state`, '$.items') AS `item`;--> statement-breakpoint
CREATE INDEX `sagas_customer` ON `sagas` (`customer_id`,`started_at`,`order_id`);--> statement-breakpoint
CREATE INDEX `sagas_reason` ON `sagas` (`reason`,`started_at`,`order_id`);--> statement-breakpoint
CREATE INDEX `sagas_total` ON `sagas` (`total_cents`,`started_at`,`order_id`);--> statement-breakpoint
CREATE INDEX `sagas_ended` ON `sagas` (`ended_at`,`started_at`,`order_id`);--> statement-breakpoint
CREATE INDEX `sagas_status` ON `sagas` (`status`,`started_at`,`order_id`);
