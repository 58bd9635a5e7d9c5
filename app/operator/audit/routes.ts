import { z } from 'zod';
import { AuditedService, AuditSnapshot } from '../../../contracts/rest';
import type { ServiceName } from '../../../contracts';
import { guards } from '../../../http/access';
import type { AuthEnv, Tokens } from '../../../http/auth';
import { notFound } from '../../../http/errors';
import { defineRoute, errors, json, newRouter } from '../../../http/openapi';
import type { Service } from '../../../platform/service';
import { readSnapshot } from './read-state';

/**
 * What `saga-shop audit --url` reads: each audited service's rows, from the process that runs
 * it, so behind the entry point `/audit/<service>` reaches the one that has them.
 */
export const auditSnapshot = defineRoute('admin', {
  operationId: 'auditSnapshot',
  method: 'get',
  path: '/audit/{service}',
  tags: ['audit'],
  summary: 'What one service holds of what the audit checks, read in one transaction',
  request: { params: z.object({ service: AuditedService }) },
  responses: { 200: json(AuditSnapshot, 'the service’s rows'), ...errors(400, 401, 403, 404) },
});

/** The audit routes of the services this process runs; undefined when it runs none the audit reads. */
export function auditRoutes(services: readonly Service[], tokens: Tokens) {
  const audited = new Map(
    services.flatMap((service) => (isAudited(service.name) ? [[service.name, service] as const] : [])),
  );
  if (audited.size === 0) return undefined;
  const guard = guards(tokens);
  return newRouter<AuthEnv>().openapi(guard(auditSnapshot), async (c) => {
    const { service } = c.req.valid('param');
    const running = audited.get(service);
    if (!running) throw notFound(`service ${service} (another process runs it)`);
    return c.json(await readSnapshot(service, running.database), 200);
  });
}

const isAudited = (name: ServiceName): name is AuditedService => AuditedService.safeParse(name).success;
