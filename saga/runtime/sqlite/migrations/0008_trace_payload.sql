ALTER TABLE `saga_trace` ADD `data` text;--> statement-breakpoint
ALTER TABLE `saga_trace` ADD `change` text;