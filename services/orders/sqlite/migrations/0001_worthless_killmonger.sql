CREATE TABLE `account_status` (
	`user_id` text PRIMARY KEY NOT NULL,
	`active` integer NOT NULL,
	`version` integer NOT NULL,
	`updated_at` text NOT NULL
);
