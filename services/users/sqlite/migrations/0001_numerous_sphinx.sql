CREATE TABLE `login_attempts` (
	`key` text PRIMARY KEY NOT NULL,
	`count` integer NOT NULL,
	`window_ends_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `login_attempts_window` ON `login_attempts` (`window_ends_at`);--> statement-breakpoint
ALTER TABLE `users` ADD `status_version` integer DEFAULT 0 NOT NULL;