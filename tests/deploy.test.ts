import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, settingNames } from '../app/server/config';
import { brokerRoles, urlVariable, type BrokerRole } from '../broker/operator/rabbitmq-permissions';
import { setupInput as brokerSetupInput } from '../broker/operator/setup-input';
import { nodeUrls } from '../broker/rabbitmq/urls';
import { databaseLocation, databaseServices, databaseUrlVariable } from '../db/locations';
import { setupInput } from '../db/operator/setup-plan';
import { entries } from '../scripts/build-entries';
import { composeAsWritten, composeWith, example } from './deploy/compose';
import { imageOf } from './deploy/dockerfile';

const root = join(import.meta.dirname, '..');

describe('the deployment files', () => {
  it.each(['docker-compose.yml', 'Dockerfile'])('%s runs only files that exist', (file) => {
    const text = readFileSync(join(root, file), 'utf8');
    // Every file a command names: `"dist/main.js"`, `dist/broker-setup.js …`, `deploy/rabbitmq/….conf`.
    const scripts = [...text.matchAll(/[\s"]\.?\/?([\w.-]+\/[\w./-]+\.(?:ts|mjs|js|conf))\b/g)].map(
      (match) => match[1]!,
    );
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) {
      // dist/ is what `npm run build` makes of one of its entries.
      const built = /^dist\/([\w-]+)\.js$/.exec(script)?.[1];
      const source = built === undefined ? script : entries[built as keyof typeof entries];
      expect(source, `${file} runs ${script}, which npm run build does not make`).toBeDefined();
      expect(existsSync(join(root, source)), `${file} runs ${script}`).toBe(true);
    }
  });

  it('docker-compose.yml and the image set only settings the code reads, and no secret has a default', () => {
    const text = readFileSync(join(root, 'docker-compose.yml'), 'utf8');
    const compose = composeAsWritten();
    // …and what the one-shot setups read: db-setup's superuser, broker-setup's every role.
    const known = new Set([...settingNames, 'LOG_LEVEL', 'LOG_FORMAT', 'DATABASE_ADMIN_URL']);
    for (const [name, service] of Object.entries(compose.services).filter(([, service]) => service.build))
      for (const variable of Object.keys(service.environment ?? {}))
        expect(known.has(variable) || variable.startsWith('BROKER_URL_'), `${name} sets ${variable}`).toBe(true);
    // MALLOC_ARENA_MAX is glibc's.
    for (const variable of Object.keys(imageOf().env))
      expect(known.has(variable) || variable === 'MALLOC_ARENA_MAX', `the image sets ${variable}`).toBe(true);

    const used = [...text.matchAll(/\$\{(\w+)(:?[-?])?/g)].map((match) => ({ name: match[1]!, form: match[2] }));
    const listed = readFileSync(join(root, '.env.example'), 'utf8');
    for (const { name, form } of used) {
      expect(listed, `.env.example lists ${name}`).toMatch(new RegExp(`^(# )?${name}=`, 'm'));
      if (/SECRET|PASSWORD|KEY|COOKIE/.test(name)) expect(form, `${name} must come from .env`).toBe(':?');
    }
  });

  it('the image is built on Node 24 in every stage, the slim image last', () => {
    // The LTS line maintained until April 2028; the native module is built on the node that runs it.
    const { bases } = imageOf();
    expect(bases.length).toBeGreaterThan(1);
    for (const base of bases) expect(base).toMatch(/^node:24-bookworm(-slim)?$/);
    expect(bases.at(-1)).toBe('node:24-bookworm-slim');
  });

  it('the image runs node itself as a user without privileges, probed on its health port, without the tests', () => {
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    // The last stage's instructions, without its comments.
    const final = dockerfile
      .slice(dockerfile.lastIndexOf('\nFROM '))
      .split('\n')
      .filter((line) => !line.trimStart().startsWith('#'))
      .join('\n');
    const image = imageOf();
    expect(final).toMatch(/^USER node$/m);
    expect(image.cmd).toEqual(['node', 'dist/main.js']);
    expect(final).not.toMatch(/\bnpx\b|\bnpm\b|\btsx\b/);
    expect(dockerfile).toMatch(/^RUN npm run build$/m);
    // What compiles, draws or tests is left out of the production install the image copies.
    const { dependencies } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    for (const tool of ['tsx', 'typescript', 'esbuild', 'mermaid', 'vitest', 'playwright-core'])
      expect(Object.keys(dependencies)).not.toContain(tool);
    // Liveness, on the health port's thread: a runtime acting on it restarts the container, which
    // cures a stuck process but not a broker outage.
    expect(image.env.HEALTH_PORT).toMatch(/^\d+$/);
    expect(image.env.METRICS_PORT).toMatch(/^\d+$/);
    expect(image.healthcheck.join(' ')).toContain(`'http://127.0.0.1:${image.env.HEALTH_PORT}/livez'`);
    const ignored = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n');
    for (const left of ['node_modules', 'tests', '**/*.test.ts', '.env', 'data']) expect(ignored).toContain(left);
  });
});

const rabbitNodes = ['rabbitmq-1', 'rabbitmq-2', 'rabbitmq-3'];

describe('docker compose on PostgreSQL, two replicas of each service', () => {
  const { services } = composeWith(example);
  const raw = composeAsWritten();

  it('starts with .env.example copied to .env, and only the entry point publishes a port', () => {
    const published = Object.entries(services).filter(([, service]) => service.ports !== undefined);
    expect(published.map(([name]) => name)).toEqual(['entry']);
    expect(services.entry!.image).toMatch(/^nginx:/);
  });

  it('runs PostgreSQL with its data on a volume, its superuser password from .env, probed with pg_isready', () => {
    const postgres = services.postgres!;
    expect(postgres.image).toMatch(/^postgres:\d+/);
    expect(postgres.volumes).toContainEqual(expect.stringMatching(/^\w+:\/var\/lib\/postgresql\/data$/));
    expect(raw.services.postgres!.environment?.POSTGRES_PASSWORD).toMatch(/^\$\{\w+:\?/);
    expect(postgres.healthcheck?.test).toContain('pg_isready');
  });

  it('makes a role and a schema per service with db-setup, once PostgreSQL is up, as its superuser', () => {
    const setup = services['db-setup']!;
    expect(setup.command?.join(' ')).toMatch(/^node dist\/db-setup\.js\b/);
    expect(setup.depends_on?.postgres).toEqual({ condition: 'service_healthy' });
    const env = setup.environment!;
    const input = setupInput(env);
    expect(input.roles.map((role) => role.service)).toEqual([...databaseServices]);
    // As the postgres service's own superuser, with the password that service was given.
    const admin = new URL(env.DATABASE_ADMIN_URL!);
    expect(admin.hostname).toBe('postgres');
    expect(admin.username).toBe(services.postgres!.environment?.POSTGRES_USER ?? 'postgres');
    expect(decodeURIComponent(admin.password)).toBe(services.postgres!.environment?.POSTGRES_PASSWORD);
    // The image runs under NODE_ENV=production, where the placeholders are refused.
    expect(() => setupInput({ ...env, NODE_ENV: 'production' })).toThrow(/NODE_ENV=production refuses/);
  });

  it.each(databaseServices)(
    '%s runs twice, on its own database URL with its own user, once db-setup has made it',
    (name) => {
      const service = services[name]!;
      const env = service.environment!;
      // The URL db-setup made the role for, with the password it set.
      expect(env.DATABASE_URL).toBe(services['db-setup']!.environment![databaseUrlVariable(name)]);
      expect(raw.services[name]!.environment!.DATABASE_URL, 'its own password from .env').toContain(
        `\${DATABASE_PASSWORD_${name.toUpperCase()}:?`,
      );
      expect(databaseLocation(env, name, '/unused')).toEqual({ kind: 'postgres', url: env.DATABASE_URL, schema: name });
      const url = new URL(env.DATABASE_URL!);
      expect(services[url.hostname]?.image, 'on the postgres service').toMatch(/^postgres:/);
      expect(url.username).not.toBe(new URL(services['db-setup']!.environment!.DATABASE_ADMIN_URL!).username);
      expect(service.depends_on?.['db-setup']).toEqual({ condition: 'service_completed_successfully' });
      for (const node of rabbitNodes) expect(service.depends_on?.[node]).toEqual({ condition: 'service_healthy' });
      expect(service.deploy?.replicas).toBe(2);
      // Nothing of its own on disk any more, and no INSTANCE_ID both replicas would share.
      expect(service.volumes).toBeUndefined();
      expect(env.DATA_DIR).toBeUndefined();
      expect(env.INSTANCE_ID).toBeUndefined();
    },
  );

  it('gives every service a user of its own on the database', () => {
    const users = databaseServices.map((name) => new URL(services[name]!.environment!.DATABASE_URL!).username);
    expect(new Set(users).size).toBe(databaseServices.length);
  });
});

describe('docker compose on a RabbitMQ cluster of three nodes, with quorum queues', () => {
  const { services } = composeWith(example);
  const raw = composeAsWritten();
  const setup = services['broker-setup']!;
  /** What runs the shop's code against the broker: the services, broker-setup and the dlq tool. */
  const clients = Object.entries(services).filter(([, service]) =>
    Object.keys(service.environment ?? {}).some((name) => name.startsWith('BROKER_URL')),
  );
  /** The nodes a broker URL setting lists, as host:port. */
  const hostsOf = (setting: string) => nodeUrls(setting).map((url) => new URL(url).host);

  it('runs three RabbitMQ nodes of one image, each on a volume of its own, none publishing a port', () => {
    const nodes = Object.entries(services).filter(([, service]) => service.image?.startsWith('rabbitmq:'));
    expect(nodes.map(([name]) => name)).toEqual(rabbitNodes);
    const data = new Set<string>();
    for (const [name, node] of nodes) {
      expect(node.image, name).toBe('rabbitmq:3.13-management');
      // Its node name, rabbit@<hostname>, is what the others and its data know it by.
      expect(node.hostname, name).toBe(name);
      // Neither AMQP (5672) nor the management UI (15672) is reachable from the host.
      expect(node.ports, `${name} publishes no port`).toBeUndefined();
      expect(raw.services[name]!.ports, `${name} publishes no port`).toBeUndefined();
      const volume = node.volumes?.find((mount) => mount.endsWith(':/var/lib/rabbitmq'));
      expect(volume, `${name} keeps its data on a volume`).toMatch(/^[\w-]+:/);
      data.add(volume!.split(':')[0]!);
      expect(node.volumes).toContain('./deploy/rabbitmq/definitions.conf:/etc/rabbitmq/conf.d/20-definitions.conf:ro');
      expect(node.volumes).toContain('./deploy/rabbitmq/cluster.conf:/etc/rabbitmq/conf.d/30-cluster.conf:ro');
      expect(node.volumes).toContainEqual(
        expect.stringMatching(/^broker-definitions:\/etc\/rabbitmq\/definitions:ro$/),
      );
      expect(node.depends_on?.['broker-setup']).toEqual({ condition: 'service_completed_successfully' });
      expect(node.healthcheck?.test).toContain('rabbitmq-diagnostics');
      // One Erlang cookie for all, from .env and never a default.
      expect(raw.services[name]!.environment?.RABBITMQ_ERLANG_COOKIE).toMatch(/^\$\{RABBITMQ_ERLANG_COOKIE:\?/);
      expect(node.environment?.RABBITMQ_ERLANG_COOKIE).toBe(example.RABBITMQ_ERLANG_COOKIE);
    }
    expect(data.size, 'a volume per node').toBe(rabbitNodes.length);
  });

  it('has the nodes find each other from the list of the three in deploy/rabbitmq/cluster.conf', () => {
    const conf = readFileSync(join(root, 'deploy/rabbitmq/cluster.conf'), 'utf8');
    expect(conf).toMatch(/^cluster_formation\.peer_discovery_backend = classic_config$/m);
    const listed = [...conf.matchAll(/^cluster_formation\.classic_config\.nodes\.\d+ = (\S+)$/gm)].map((m) => m[1]);
    expect(listed).toEqual(rabbitNodes.map((node) => `rabbit@${services[node]!.hostname}`));
    // Queues declared before every node joined grow a replica on each as they do.
    expect(conf).toMatch(/^quorum_queue\.continuous_membership_reconciliation\.enabled = true$/m);
    expect(conf).toMatch(/^quorum_queue\.continuous_membership_reconciliation\.target_group_size = 3$/m);
  });

  it('gives BROKER_QUEUE_TYPE=quorum to every service, broker-setup and the dlq tool', () => {
    expect(clients.map(([name]) => name).sort()).toEqual([...databaseServices, 'broker-setup', 'dlq'].sort());
    for (const [name, service] of clients) expect(service.environment?.BROKER_QUEUE_TYPE, name).toBe('quorum');
  });

  it('declares, with broker-setup, the queue type the services are configured with', () => {
    const input = brokerSetupInput(setup.environment!);
    expect(input.queueKind).toEqual({ type: 'quorum', deliveryLimit: 20 });
    expect(input.users.map((user) => user.role)).toEqual([...brokerRoles]);
    for (const name of databaseServices)
      expect(loadConfig(services[name]!.environment!).queueKind, name).toEqual(input.queueKind);
    // The image runs under NODE_ENV=production, where the placeholders of .env.example are refused.
    const refusal = () => brokerSetupInput({ ...setup.environment!, NODE_ENV: 'production' });
    expect(refusal).toThrow(/^NODE_ENV=production refuses /);
    for (const role of brokerRoles) expect(refusal).toThrow(`the password in ${urlVariable(role)}: `);
  });

  it('lists the three nodes in every broker URL, each service on its own user', () => {
    const everyNode = rabbitNodes.map((node) => `${node}:5672`);
    for (const role of brokerRoles) expect(hostsOf(setup.environment![urlVariable(role)]!), role).toEqual(everyNode);
    for (const [name, service] of clients.filter(([name]) => name !== 'broker-setup')) {
      const setting = service.environment!.BROKER_URL!;
      expect(hostsOf(setting), name).toEqual(everyNode);
      // The very URLs broker-setup made the user for: its own, or the operator's for the dlq tool.
      const role = (name === 'dlq' ? 'operator' : name) as BrokerRole;
      expect(setting, name).toBe(setup.environment![urlVariable(role)]);
      expect(raw.services[name]!.environment!.BROKER_URL, 'its own password from .env').toContain(
        `\${BROKER_PASSWORD_${role.toUpperCase()}:?`,
      );
    }
    for (const name of databaseServices)
      for (const node of rabbitNodes)
        expect(services[name]!.depends_on?.[node], name).toEqual({ condition: 'service_healthy' });
    for (const node of rabbitNodes)
      expect(services.dlq!.depends_on?.[node], 'dlq').toEqual({ condition: 'service_healthy' });
  });
});
