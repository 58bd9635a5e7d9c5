import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { logger } from '../lib/logger';
import { limitBody } from './body-limit';
import { onError } from './errors';

const app = new Hono();
app.onError(onError(logger));
app.use(limitBody(16));
app.post('/echo', async (c) => c.json(await c.req.json()));
app.get('/echo', (c) => c.json({ got: 'nothing' }));

const chunked = (text: string) =>
  new ReadableStream({
    start(controller) {
      for (const char of text) controller.enqueue(new TextEncoder().encode(char));
      controller.close();
    },
  });
const post = (body: string | ReadableStream, headers: Record<string, string> = {}) =>
  app.request('/echo', {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...headers },
    duplex: 'half',
  } as RequestInit);

describe('limitBody', () => {
  it('passes a body within the limit, declared or streamed', async () => {
    expect(await (await post('{"a":1}', { 'content-length': '7' })).json()).toEqual({ a: 1 });
    expect(await (await post(chunked('{"a":1}'))).json()).toEqual({ a: 1 });
  });

  it('refuses a declared length over the limit with the JSON 413, before reading the body', async () => {
    // Node's HTTP parser holds a client to the length it declares; app.request does not, which
    // shows here that the declaration alone decided.
    const reply = await post('{}', { 'content-length': '17' });
    expect(reply.status).toBe(413);
    expect(await reply.json()).toMatchObject({
      error: { code: 'payload_too_large', message: 'request body is larger than 16 bytes' },
    });
  });

  it('counts a body sent without a length and refuses it once it passes the limit', async () => {
    const reply = await post(chunked('{"a":"0123456789"}'));
    expect(reply.status).toBe(413);
    expect(await reply.json()).toMatchObject({ error: { code: 'payload_too_large' } });
  });

  it('leaves a GET alone', async () => {
    expect((await app.request('/echo')).status).toBe(200);
  });
});
