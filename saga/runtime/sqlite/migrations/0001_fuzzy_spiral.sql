ALTER TABLE `sagas` ADD `next_deadline_at` text;--> statement-breakpoint
CREATE INDEX `sagas_next_deadline` ON `sagas` (`next_deadline_at`);