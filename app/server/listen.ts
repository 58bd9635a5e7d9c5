import type { Server } from 'node:http';
import { createAdaptorServer, type ServerType } from '@hono/node-server';
import { ConfigError } from '../../platform/config';

type Fetch = (request: Request) => Response | Promise<Response>;

const LISTEN_BACKLOG = 4096;

/**
 * Listens on `port` before anything else starts, so a port already taken is one line and no
 * database is opened for nothing. Until `ready` hands it the app, every request is a 503.
 * `setting` names the variable the port comes from, in those lines.
 */
export async function listen(
  port: number,
  setting = 'PORT',
): Promise<{ server: ServerType; ready(fetch: Fetch): void }> {
  let handle: Fetch = () =>
    Response.json(
      { error: { code: 'unavailable', message: 'starting' } },
      { status: 503, headers: { 'retry-after': '1' } },
    );
  const server = createAdaptorServer({ fetch: (request) => handle(request) });
  // A burst of new connections (hundreds of clients at once) waits in the kernel's accept queue
  // until the event loop takes it; past node's default of 511 the kernel drops the SYNs and each
  // client retries after 1, 3, 7 s, a health probe among them. The kernel caps it at somaxconn.
  server.listen({ port, backlog: LISTEN_BACKLOG });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE')
        reject(new ConfigError(`${setting} ${port} is already in use: stop what listens there or set ${setting}`));
      else if (error.code === 'EACCES')
        reject(new ConfigError(`${setting} ${port} needs privileges this process lacks: set ${setting} above 1023`));
      else reject(error);
    });
  });
  return { server, ready: (fetch) => (handle = fetch) };
}

/**
 * Stops taking connections and waits for the requests in flight to be answered: idle
 * keep-alive connections are closed now, busy ones as soon as their answer is sent. After
 * `graceMs` whatever is still open is cut, so a stuck client cannot hold the stop forever.
 */
export function closeGracefully(server: ServerType, graceMs: number): Promise<void> {
  const http = server as Server;
  return new Promise((resolve) => {
    const cut = setTimeout(() => http.closeAllConnections(), graceMs);
    http.close(() => {
      clearTimeout(cut);
      resolve();
    });
    // A connection whose answer has just been sent is closed at once rather than kept alive.
    http.keepAliveTimeout = 1;
    http.closeIdleConnections();
  });
}
