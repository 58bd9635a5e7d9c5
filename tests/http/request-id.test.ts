import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem, type TestSystem } from '../support/system';

describe('request ids', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem('in-process');
  });
  afterAll(() => system.stop());

  it('every answer has an X-Request-Id; an error quotes it in its body', async () => {
    const ok = await system.api.call('GET', '/products');
    expect(ok.headers.get('x-request-id')).toMatch(/^[\w-]{8,}$/);

    for (const reply of [
      await system.api.call('GET', '/orders'),
      await system.api.call('GET', '/nowhere'),
      await system.api.call('POST', '/auth/register', { body: { name: 'x'.repeat(1024 * 1024 + 1) } }),
      await system.api.call('POST', '/auth/login', { body: { email: 'nope' } }),
    ]) {
      const id = reply.headers.get('x-request-id');
      expect(id).toBeTruthy();
      expect(reply.body.error.requestId).toBe(id);
      expect(JSON.stringify(reply.body)).not.toMatch(/\bat .*\.ts:\d+/);
    }
  });

  it('keeps a well-formed id the client sent, and replaces one that is not', async () => {
    const kept = await system.api.call('GET', '/orders', { headers: { 'x-request-id': 'client-trace-42' } });
    expect(kept.headers.get('x-request-id')).toBe('client-trace-42');
    expect(kept.body.error.requestId).toBe('client-trace-42');
    const replaced = await system.api.call('GET', '/orders', { headers: { 'x-request-id': 'no spaces <here>' } });
    expect(replaced.headers.get('x-request-id')).not.toBe('no spaces <here>');
  });
});
