import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../app/server/config';
import { serviceNames, startSystem, type System } from '../app/server/system';
import type { ServiceName } from '../contracts';
import { composeAsWritten } from './deploy/compose';
import { locationOf, parseNginx } from './support/nginx';

/**
 * docker compose's entry point (deploy/proxy/nginx.conf) against the code, since no Docker
 * engine runs here: each service is started alone, as its container runs it, and every route
 * it serves must reach it through the proxy, on the port it listens on.
 */

const root = join(import.meta.dirname, '..');
const proxy = parseNginx(readFileSync(join(root, 'deploy/proxy/nginx.conf'), 'utf8'));
const compose = composeAsWritten();
/** The entry point: the service that runs nginx with deploy/proxy/nginx.conf. */
const entry = Object.values(compose.services).find((service) =>
  service.volumes?.some((volume) => volume.startsWith('./deploy/proxy/nginx.conf:')),
)!;
/** What every process serves for itself; through the entry point, one answer for the whole shop, or none. */
const everyProcess = /^\/(health|livez|readyz|metrics|openapi\.json|docs)(\/|$)/;
/** What each replica serves to what runs beside it on compose's network (a scraper, the probes), not to the world. */
const perReplica = /^\/(metrics|livez|readyz)$/;
/** A route's path as the OpenAPI document writes it: `/orders/{id}`. */
const documentPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

let dataDir: string;
const alone = new Map<ServiceName, System>();
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'entry-point-'));
  for (const name of serviceNames) {
    const config = loadConfig({
      DATA_DIR: join(dataDir, name),
      BROKER_URL: '',
      JWT_SECRET: 'test-jwt-secret',
      CARD_TOKEN_KEY: 'test-card-key',
    });
    alone.set(name, await startSystem(config, { services: [name] }));
  }
});
afterAll(async () => {
  for (const system of alone.values()) await system.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const sampleId = '0b7f5e9e-2c55-4d8e-9a52-1f3d2c4b5a69';
/** A path the route pattern matches, as a client would send it. */
const concrete = (pattern: string, service: ServiceName) =>
  pattern
    .replace(':queue', service)
    .replace(':service', service)
    .replace(':file{.+}', 'swagger-ui.css')
    .replace(/:file\b/, 'app.js')
    .replace(/:\w+/g, sampleId);

interface Parameter {
  in: string;
  name: string;
  schema?: { enum?: string[] };
}
/** The paths a client may send for a documented one: each value of an enumerated parameter, an id for another. */
const sendable = (path: string, parameters: Parameter[] = []) =>
  path.split(/(\{\w+\})/).reduce<string[]>(
    (sent, part) => {
      const name = /^\{(\w+)\}$/.exec(part)?.[1];
      if (name === undefined) return sent.map((start) => start + part);
      const values = parameters.find((p) => p.in === 'path' && p.name === name)?.schema?.enum ?? [sampleId];
      return sent.flatMap((start) => values.map((value) => start + value));
    },
    [''],
  );

describe('the entry point of docker compose', () => {
  it('sends every route of every service to that service', () => {
    const wrong: string[] = [];
    const used = new Set<string>();
    for (const [service, system] of alone) {
      for (const route of system.app.routes.filter((r) => r.method !== 'ALL')) {
        const path = concrete(route.path, service);
        const location = locationOf(proxy, path);
        if (location) used.add(`${location.modifier} ${location.pattern}`);
        if (everyProcess.test(path)) continue;
        if (location?.upstream !== service)
          wrong.push(`${route.method} ${path}: served by ${service}, sent to ${location?.upstream ?? 'nothing'}`);
      }
    }
    expect(wrong).toEqual([]);
    // …and no location is left over from a route that went away.
    expect(proxy.locations.map((l) => `${l.modifier} ${l.pattern}`).filter((l) => !used.has(l))).toEqual([]);
  });

  it("sends /health and /docs to one process that serves them, and keeps /metrics and the probes on compose's network", async () => {
    for (const path of ['/health', '/docs']) {
      const upstream = locationOf(proxy, path)?.upstream as ServiceName;
      expect(serviceNames, path).toContain(upstream);
      expect((await alone.get(upstream)!.app.request(path)).status, path).toBe(200);
    }
    for (const path of ['/metrics', '/livez', '/readyz']) expect(locationOf(proxy, path), path).toBeUndefined();
  });

  it('serves the whole API at /openapi.json: every route of every service, each path sent to the service that serves it', () => {
    const file = locationOf(proxy, '/openapi.json')?.file;
    expect(file, 'the entry point serves the document itself').toBeDefined();
    const mount = entry.volumes?.find((volume) => volume.split(':')[1] === file);
    expect(mount, `a file of the checkout mounted at ${file}`).toMatch(/^\.\/[^:]+:[^:]+:ro$/);
    const document = JSON.parse(readFileSync(join(root, mount!.split(':')[0]!), 'utf8')) as {
      paths: Record<string, Record<string, { parameters?: Parameter[] }>>;
      servers?: { url: string }[];
    };
    const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations).map(([method, { parameters }]) => ({ method, path, parameters })),
    );

    const missing = [...alone].flatMap(([service, system]) =>
      system.app.routes
        .filter((route) => route.method !== 'ALL')
        .map((route) => `${route.method.toLowerCase()} ${documentPath(route.path)}`)
        .filter((route) => !documented.some(({ method, path }) => `${method} ${path}` === route))
        .map((route) => `${route} of ${service}`),
    );
    expect(missing).toEqual([]);

    const serves = (service: ServiceName, method: string, path: string) =>
      alone
        .get(service)!
        .app.routes.some((route) => route.method.toLowerCase() === method && documentPath(route.path) === path);
    const wrong = documented.flatMap(({ method, path, parameters }) => {
      if (path === '/openapi.json') return [];
      return sendable(path, parameters).flatMap((sent) => {
        const upstream = locationOf(proxy, sent)?.upstream as ServiceName | undefined;
        if (perReplica.test(path)) return upstream ? [`${method} ${sent}: sent to ${upstream}, yet per replica`] : [];
        return upstream && serves(upstream, method, path)
          ? []
          : [`${method} ${sent}: sent to ${upstream ?? 'nothing'}`];
      });
    });
    expect(wrong).toEqual([]);

    // Swagger UI's "try it out" calls the document's server: the entry point, as compose publishes it.
    const [published] = entry.ports![0]!.split(':');
    expect(document.servers?.map((server) => server.url)).toEqual([`http://localhost:${published}`]);
  });

  it('shows the whole API at /docs: the page asks its own origin for /openapi.json', async () => {
    const upstream = locationOf(proxy, '/docs')?.upstream as ServiceName;
    const page = await (await alone.get(upstream)!.app.request('/docs')).text();
    expect(page).toMatch(/\burl: ?['"]\/openapi\.json['"]/);
    expect(locationOf(proxy, '/openapi.json')?.upstream, 'the entry point answers it, not one service').toBeUndefined();
  });

  it('reaches each service on the port it listens on, once it is healthy, and is the only port published', () => {
    expect(entry.image).toMatch(/^nginx:/);
    expect(entry.ports).toEqual([`3000:${proxy.listen}`]);
    for (const [name, { host, port }] of proxy.upstreams) {
      const service = compose.services[host];
      expect(service, `upstream ${name} names a compose service`).toBeDefined();
      expect(serviceNames).toContain(host);
      expect(Number(service!.environment?.PORT), `${host} listens on ${port}`).toBe(port);
      expect(service!.environment?.TRUST_PROXY, `${host} trusts the proxy's X-Forwarded-For`).toBe('true');
      expect(service!.ports, `${host} is reached through the entry point only`).toBeUndefined();
      expect(entry.depends_on?.[host]).toEqual({ condition: 'service_healthy' });
    }
    expect([...proxy.upstreams.values()].map((u) => u.host).sort()).toEqual([...serviceNames].sort());
  });

  it("publishes no port of the RabbitMQ cluster: AMQP and the management UI stay on compose's network", () => {
    const nodes = Object.entries(compose.services).filter(([, service]) => service.image?.startsWith('rabbitmq:'));
    expect(nodes.map(([name]) => name)).toEqual(['rabbitmq-1', 'rabbitmq-2', 'rabbitmq-3']);
    for (const [name, node] of nodes) expect(node.ports, `${name} publishes no port`).toBeUndefined();
    // …nor does any other service reach them for the host: the entry point passes HTTP to the shop only.
    const published = Object.values(compose.services).flatMap((service) => service.ports ?? []);
    expect(published).toEqual([`3000:${proxy.listen}`]);
    const hostPorts = published.flatMap((mapping) => mapping.split(':'));
    for (const port of ['5672', '15672', '25672', '4369']) expect(hostPorts, port).not.toContain(port);
    for (const [name, { host }] of proxy.upstreams) expect(host, `upstream ${name}`).not.toMatch(/^rabbitmq/);
  });

  it("spreads each service's requests over all its replicas, and follows them as they come and go", () => {
    // Docker's DNS answers a service's name with an address per replica; nginx balances over
    // them all, and only a server with `resolve` (in a shared zone) is looked up again after start.
    expect(proxy.resolver?.[0], "Docker's embedded DNS").toBe('127.0.0.11');
    expect(proxy.resolver, 'a short validity, over the answer TTL').toContainEqual(
      expect.stringMatching(/^valid=\d+s$/),
    );
    for (const [name, upstream] of proxy.upstreams) {
      expect(upstream.parameters, `upstream ${name} resolves its service's name again`).toContain('resolve');
      expect(upstream.zone, `upstream ${name} has the shared zone resolve needs`).toBeDefined();
      expect(
        compose.services[upstream.host]?.deploy?.replicas,
        `${upstream.host} runs several replicas`,
      ).toBeGreaterThan(1);
    }
    // nginx has `resolve` on an upstream's server from 1.27.3 on: the stable 1.28 or later.
    const [major = 0, minor = 0] = (/^nginx:(\d+)\.(\d+)/.exec(entry.image!) ?? []).slice(1).map(Number);
    expect(major * 1000 + minor, entry.image).toBeGreaterThanOrEqual(1028);
  });
});
