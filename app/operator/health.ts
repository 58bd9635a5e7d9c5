import { Health, Liveness, Readiness } from '../../contracts/rest';
import { defineRoute, json, newRouter } from '../../http/openapi';
import type { ServiceHealth } from '../../platform/store-health';

/**
 * The probes, on PORT and on HEALTH_PORT: /livez says whether to restart the process, /readyz
 * whether to send it traffic, /health what each dependency says. Kept apart because a broker
 * away makes every process unready, and restarting them would mend nothing.
 */

export const healthRoute = defineRoute('anyone', {
  operationId: 'getHealth',
  method: 'get',
  path: '/health',
  tags: ['system'],
  summary: 'Each dependency: the broker, and each service’s database and outbox',
  responses: {
    200: json(Health, 'everything is up'),
    503: json(Health, 'something is down; `down` names it'),
  },
});

export const livenessRoute = defineRoute('anyone', {
  operationId: 'getLiveness',
  method: 'get',
  path: '/livez',
  tags: ['system'],
  summary: 'Whether the process answers, for a liveness probe: on HEALTH_PORT, 503 once its event loop is stuck',
  responses: {
    200: json(Liveness, 'the process answers'),
    503: json(Liveness, 'on HEALTH_PORT: the event loop has not turned for seconds; worth a restart'),
  },
});

export const readinessRoute = defineRoute('anyone', {
  operationId: 'getReadiness',
  method: 'get',
  path: '/readyz',
  tags: ['system'],
  summary: 'Whether to send it traffic, for a readiness probe: the databases, the broker, and orders admitted',
  responses: {
    200: json(Readiness, 'ready for traffic'),
    503: json(Readiness, 'not ready; `notReady` names why'),
  },
});

/** The answer of GET /health from what each part reported. */
export function summarizeHealth(
  broker: { connected: boolean; transport: Health['checks']['broker']['transport'] },
  services: Record<string, ServiceHealth>,
): Health {
  const down = [
    ...(broker.connected ? [] : ['broker']),
    ...Object.entries(services).flatMap(([name, health]) => [
      ...(health.database === 'down' ? [`${name}.database`] : []),
      ...(health.outbox.status === 'down' ? [`${name}.outbox`] : []),
    ]),
  ];
  return {
    status: down.length === 0 ? 'ok' : 'down',
    down,
    checks: {
      broker: { status: broker.connected ? 'ok' : 'down', transport: broker.transport },
      services,
    },
  };
}

/**
 * The answer of GET /readyz, read off the health report: not ready while the broker or a
 * database is away, or while orders sheds new ones. A stale outbox is left to /health: its
 * messages wait safely, and traffic sent elsewhere would not send them.
 */
export function readinessOf(health: Health): Readiness {
  const notReady = [
    ...(health.checks.broker.status === 'down' ? ['broker'] : []),
    ...Object.entries(health.checks.services).flatMap(([name, service]) => [
      ...(service.database === 'down' ? [`${name}.database`] : []),
      ...(service.admission?.status === 'shedding' ? [`${name}.admission`] : []),
    ]),
  ];
  return { status: notReady.length === 0 ? 'ready' : 'not-ready', notReady };
}

export const alive: Liveness = { status: 'ok' };

/** What HEALTH_PORT answers in place of the main thread's last report once it is stale. */
export const stuckEventLoop = {
  liveness: { status: 'down', down: ['event-loop'] } satisfies Liveness,
  health: (health: Health): Health => ({ ...health, status: 'down', down: [...health.down, 'event-loop'] }),
  readiness: (readiness: Readiness): Readiness => ({
    status: 'not-ready',
    notReady: [...readiness.notReady, 'event-loop'],
  }),
};

/** The three probes on the app's port, answered from `health` (the broker and each service's report). */
export function probeRoutes(health: () => Promise<Health>) {
  return newRouter()
    .openapi(healthRoute, async (c) => {
      const answer = await health();
      return answer.status === 'ok' ? c.json(answer, 200) : c.json(answer, 503);
    })
    .openapi(livenessRoute, (c) => c.json(alive, 200))
    .openapi(readinessRoute, async (c) => {
      const answer = readinessOf(await health());
      return answer.status === 'ready' ? c.json(answer, 200) : c.json(answer, 503);
    });
}
