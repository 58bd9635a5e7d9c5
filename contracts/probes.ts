import { z } from 'zod';

/** The answers of the probes beside GET /health (Health): whether to restart the process, whether to send it traffic. */

export const Liveness = z
  .object({
    status: z.enum(['ok', 'down']),
    /** On HEALTH_PORT only: `event-loop` when the process has not reported for seconds, its event loop stuck. */
    down: z.array(z.literal('event-loop')).optional(),
  })
  .meta({ id: 'Liveness', examples: [{ status: 'ok' }, { status: 'down', down: ['event-loop'] }] });
export type Liveness = z.infer<typeof Liveness>;

export const Readiness = z
  .object({
    status: z.enum(['ready', 'not-ready']),
    /**
     * Why not, as `broker`, `<service>.database` or `<service>.admission` (MAX_PENDING_ORDERS
     * reached: new orders are refused) and, on HEALTH_PORT, `event-loop`; empty when ready.
     */
    notReady: z.array(z.string()),
  })
  .meta({
    id: 'Readiness',
    examples: [
      { status: 'ready', notReady: [] },
      { status: 'not-ready', notReady: ['broker', 'orders.admission'] },
    ],
  });
export type Readiness = z.infer<typeof Readiness>;
