import { serve, type ServerType } from '@hono/node-server';
import { ConfigError } from '../platform/config';

type Fetch = (request: Request) => Response | Promise<Response>;

/**
 * Listens on `port` before anything else starts, so a port already taken is one line and no
 * database is opened for nothing. Until `ready` hands it the app, every request is a 503.
 */
export async function listen(port: number): Promise<{ server: ServerType; ready(fetch: Fetch): void }> {
  let handle: Fetch = () =>
    Response.json(
      { error: { code: 'unavailable', message: 'starting' } },
      { status: 503, headers: { 'retry-after': '1' } },
    );
  const server = serve({ fetch: (request) => handle(request), port });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE')
        reject(new ConfigError(`PORT ${port} is already in use: stop what listens there or set PORT`));
      else if (error.code === 'EACCES')
        reject(new ConfigError(`PORT ${port} needs privileges this process lacks: set PORT above 1023`));
      else reject(error);
    });
  });
  return { server, ready: (fetch) => (handle = fetch) };
}
