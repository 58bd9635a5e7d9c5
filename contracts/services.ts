import { z } from 'zod';

/** Every process that produces or consumes messages. */
export const ServiceName = z.enum(['orders', 'users', 'products', 'payments', 'orchestrator']);
export type ServiceName = z.infer<typeof ServiceName>;
