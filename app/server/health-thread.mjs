// The health listener's thread (see health-listener.ts). Plain JavaScript: a worker thread does
// not get tsx's loader on node 20, and this file needs nothing but node itself.
import { createServer } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

const { port, staleAfterMs } = workerData;
/** The last report of the process: when it was made, its HTTP status and its Health body. */
let latest;

parentPort.on('message', (report) => (latest = report));

function answer(response, status, body) {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  response.end(typeof body === 'string' ? body : JSON.stringify(body));
}

const server = createServer((request, response) => {
  const path = new URL(request.url ?? '/', 'http://health').pathname;
  if (path !== '/health')
    return answer(response, 404, {
      error: { code: 'not_found', message: `no route ${path} on the health port: GET /health` },
    });
  if (request.method !== 'GET' && request.method !== 'HEAD')
    return answer(response, 405, {
      error: { code: 'method_not_allowed', message: `${request.method} /health: only GET` },
    });
  if (!latest) return answer(response, 503, { error: { code: 'unavailable', message: 'starting' } });
  const ageMs = Date.now() - latest.at;
  if (ageMs <= staleAfterMs) return answer(response, latest.status, latest.body);
  // The event loop that serves the shop has not reported: stuck, or too busy to turn.
  const health = JSON.parse(latest.body);
  answer(response, 503, { ...health, status: 'down', down: [...health.down, 'event-loop'] });
});
server.on('error', (error) => parentPort.postMessage({ error: { code: error.code, message: error.message } }));
server.listen({ port }, () => parentPort.postMessage({ listening: server.address().port }));
