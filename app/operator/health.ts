import { Health } from '../../contracts/rest';
import { defineRoute, json } from '../../http/openapi';
import type { ServiceHealth } from '../../platform/store-health';

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
