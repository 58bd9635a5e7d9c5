CREATE INDEX `inbox_handled_at` ON `inbox` (`handled_at`);--> statement-breakpoint
CREATE INDEX `saga_steps_at` ON `saga_steps` (`at`);--> statement-breakpoint
CREATE INDEX `saga_trace_recorded_at` ON `saga_trace` (`recorded_at`);