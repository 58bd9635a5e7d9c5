// The health listener's thread (see health-listener.ts). Plain JavaScript: a worker thread does
// not get tsx's loader on node 20, and this file needs nothing but node itself. The main thread
// writes every answer; this one only picks the fresh or the stale one.
import { createServer } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

const { port, staleAfterMs, liveness } = workerData;
const probes = ['/livez', '/readyz', '/health'];
/** When the main event loop last turned. */
let aliveAt;
/** The last health report: when it was made, and each probe's answer, `{status, body, stale}`, by path. */
let latest;

parentPort.on('message', (report) => {
  aliveAt = report.at;
  if (report.answers) latest = report;
});

function send(response, status, body) {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  response.end(typeof body === 'string' ? body : JSON.stringify(body));
}

const fresh = (at) => at !== undefined && Date.now() - at <= staleAfterMs;

const server = createServer((request, response) => {
  const path = new URL(request.url ?? '/', 'http://health').pathname;
  if (!probes.includes(path))
    return send(response, 404, {
      error: { code: 'not_found', message: `no route ${path} on the health port: GET ${probes.join(', ')}` },
    });
  if (request.method !== 'GET' && request.method !== 'HEAD')
    return send(response, 405, {
      error: { code: 'method_not_allowed', message: `${request.method} ${path}: only GET` },
    });
  // The event loop that serves the shop has not reported: stuck, or too busy to turn.
  if (path === '/livez')
    return fresh(aliveAt) ? send(response, 200, liveness.body) : send(response, 503, liveness.stale);
  if (!latest) return send(response, 503, { error: { code: 'unavailable', message: 'starting' } });
  const answer = latest.answers[path];
  if (fresh(latest.at)) send(response, answer.status, answer.body);
  else send(response, 503, answer.stale);
});
server.on('error', (error) => parentPort.postMessage({ error: { code: error.code, message: error.message } }));
server.listen({ port }, () => parentPort.postMessage({ listening: server.address().port }));
