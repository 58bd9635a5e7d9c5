import { randomUUID } from 'node:crypto';
import { createMiddleware } from 'hono/factory';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { logger } from '../lib/logger';
import { guards } from './access';
import { canSee, createTokens, type AuthEnv, type Caller } from './auth';
import { notFound, onError } from './errors';
import { defineRoute, json, newRouter, type Access } from './openapi';

const tokens = createTokens({
  secret: 'a-test-secret',
  issuer: 'saga-shop',
  audience: 'saga-shop',
  expiresInSeconds: 60,
});
const guard = guards(tokens);

const Reply = json(z.object({ seenBy: z.string() }), 'who was let in');
const routeFor = (access: Access, path: string) =>
  defineRoute(access, {
    operationId: `get${access}`,
    method: 'get',
    path,
    request: { query: z.object({ limit: z.coerce.number().int().positive().optional() }) },
    responses: { 200: Reply },
  });
/** A service's own check, as `extra`: only the owner named in the path, or an admin, gets through. */
const ownerOrAdmin = createMiddleware<AuthEnv>(async (c, next) => {
  if (!canSee(c.var.caller, c.req.param('ownerId')!)) throw notFound('thing');
  await next();
});
const owned = defineRoute('signed-in', {
  operationId: 'getThing',
  method: 'get',
  path: '/things/{ownerId}',
  request: { params: z.object({ ownerId: z.uuid() }) },
  responses: { 200: Reply },
});

const seenBy = (caller: Caller | undefined) => ({ seenBy: caller ? caller.role : 'anyone' });
const app = newRouter<AuthEnv>()
  .openapi(guard(routeFor('anyone', '/open')), (c) => c.json(seenBy(c.get('caller')), 200))
  .openapi(guard(routeFor('signed-in', '/members')), (c) => c.json(seenBy(c.var.caller), 200))
  .openapi(guard(routeFor('admin', '/back-office')), (c) => c.json(seenBy(c.var.caller), 200))
  .openapi(guard(owned, ownerOrAdmin), (c) => c.json(seenBy(c.var.caller), 200));
app.onError(onError(logger));

const customer: Caller = { id: randomUUID(), role: 'customer' };
const otherCustomer: Caller = { id: randomUUID(), role: 'customer' };
const admin: Caller = { id: randomUUID(), role: 'admin' };
const bearer: Record<string, string> = {};

async function get(path: string, as?: Caller) {
  const reply = await app.request(path, { headers: as ? { authorization: `Bearer ${bearer[as.id]}` } : {} });
  return { status: reply.status, body: await reply.json() };
}

describe('route access', () => {
  beforeAll(async () => {
    for (const caller of [customer, otherCustomer, admin]) bearer[caller.id] = await tokens.issue(caller);
  });

  it('lets anyone call an open route, with or without a token', async () => {
    expect(await get('/open')).toEqual({ status: 200, body: { seenBy: 'anyone' } });
    expect((await get('/open', customer)).status).toBe(200);
  });

  it('lets any signed-in caller call a signed-in route, and no one else', async () => {
    expect(await get('/members')).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } });
    expect(await get('/members', customer)).toEqual({ status: 200, body: { seenBy: 'customer' } });
    expect(await get('/members', admin)).toEqual({ status: 200, body: { seenBy: 'admin' } });
    const forged = await app.request('/members', { headers: { authorization: 'Bearer a.b.c' } });
    expect(forged.status).toBe(401);
  });

  it('lets only an admin call an admin route', async () => {
    expect((await get('/back-office')).status).toBe(401);
    expect(await get('/back-office', customer)).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    expect(await get('/back-office', admin)).toEqual({ status: 200, body: { seenBy: 'admin' } });
  });

  it('checks who is calling before what they sent, so an anonymous caller learns nothing of the schema', async () => {
    expect((await get('/members?limit=-1')).status).toBe(401);
    expect((await get('/back-office?limit=-1', customer)).status).toBe(403);
    expect((await get('/members?limit=-1', customer)).status).toBe(400);
  });

  it("shows a customer their own resource, and someone else's as if it did not exist; an admin sees all", async () => {
    expect(await get(`/things/${customer.id}`, customer)).toEqual({ status: 200, body: { seenBy: 'customer' } });
    expect(await get(`/things/${customer.id}`, otherCustomer)).toMatchObject({
      status: 404,
      body: { error: { code: 'not_found' } },
    });
    expect(await get(`/things/${customer.id}`, admin)).toEqual({ status: 200, body: { seenBy: 'admin' } });
    expect((await get(`/things/${customer.id}`)).status).toBe(401);
  });
});
