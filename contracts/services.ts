import { z } from 'zod';

/**
 * Every process that produces or consumes messages, in the order a saga reaches them: the
 * one list of services. Every other list (queues, databases, start scripts, compose services,
 * the trace picture's lifelines) is derived from it or checked against it (tests/services.test.ts).
 */
export const serviceNames = ['orders', 'orchestrator', 'users', 'products', 'payments'] as const;
export const ServiceName = z.enum(serviceNames);
export type ServiceName = z.infer<typeof ServiceName>;
