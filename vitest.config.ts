import { defineConfig } from 'vitest/config';
import { clusterBrokerUrl, clusterNodes } from './scripts/cluster/cluster';

/**
 * Three projects, by what a test needs:
 * - unit: the tests beside the code (pure logic, SQLite files, the embedded broker), fast;
 * - embedded: everything under tests/ that needs no external service, on the embedded broker;
 * - rabbitmq: what needs RabbitMQ on 127.0.0.1:5672 and rabbitmqctl: files named
 *   `*.rabbitmq.test.ts`, and the scenario suite again, every `describe.each(transports)` now
 *   over RabbitMQ. `rabbitmq-restart` stops and starts the node, so it runs alone, after.
 * `browser` drives a Chromium (tests/ui/chromium.ts finds it) through playwright-core (the web view).
 * `postgres`: what needs a PostgreSQL server (TEST_DATABASE_URL, by default the local one):
 *   files named `*.postgres.test.ts`, each test on a database of its own (any one left behind
 *   is dropped at the end of the run);
 *   `postgres-restart` stops and starts the machine's PostgreSQL server, so it runs alone, after.
 * `postgres-scenarios`: the scenario suite and its invariants on PostgreSQL over RabbitMQ
 *   (TEST_STORE=postgres: each test system on a scratch database of its own, dropped by `stop()`).
 * `postgres-faults`: the fault suite on PostgreSQL (its crash tests, several instances): each
 *   cluster of processes holds up to seven connections per service, so two at once would pass
 *   the server's max_connections (100 by default): `npm run test:postgres` runs it one file at a time.
 * `cluster`: on the local three-node RabbitMQ cluster of `npm run cluster:up`, with quorum queues:
 *   the scenario suite, the RabbitMQ adapter's and the broker tests; `cluster-node-loss` (files
 *   named `*.cluster.test.ts`) stops nodes, so it runs alone, after. `npm run test:cluster`
 *   starts the cluster, runs both and removes the cluster.
 * `npm test` runs unit and embedded; `npm run test:integration` the two RabbitMQ projects;
 * `npm run test:postgres` the three PostgreSQL ones; `npm run test:browser` browser.
 */
const needsRabbitMq = '**/*.rabbitmq.test.ts';
const needsPostgres = '**/*.postgres.test.ts';
/** What drives a Chromium (CHROMIUM_PATH, or Debian's /usr/bin/chromium) through playwright-core. */
const needsChromium = '**/*.browser.test.ts';
/** What stops nodes of the local RabbitMQ cluster (scripts/cluster). */
const needsCluster = '**/*.cluster.test.ts';
/** The settings that point a test at the local cluster, with quorum queues. */
const onCluster = {
  TEST_TRANSPORTS: 'rabbitmq',
  RABBITMQ_URL: clusterBrokerUrl,
  TEST_RABBITMQ_NODES: clusterNodes.map((node) => node.name).join(','),
  BROKER_QUEUE_TYPE: 'quorum',
};
/** The files that run once per transport (`transports` in tests/support/system.ts). */
const onEachTransport = [
  'tests/scenarios/**/*.test.ts',
  'tests/faults/injected-faults.test.ts',
  'tests/faults/kill-all-in-one.test.ts',
  'tests/broker/dlq-cli.test.ts',
  'tests/broker/consumer-retries.test.ts',
];
const restart = 'tests/faults/restart.rabbitmq.test.ts';
const restartPostgres = 'tests/faults/restart-postgres.postgres.test.ts';
/** The settings of the suites that run again on PostgreSQL: over RabbitMQ, on a scratch database each. */
const onPostgres = { TEST_TRANSPORTS: 'rabbitmq', TEST_STORE: 'postgres' };
/** Names each run of a PostgreSQL project in its scratch databases, and drops those left at its end. */
const postgresRun = 'tests/support/postgres-run.ts';
/** The fault suite's tests on PostgreSQL: its crash tests over RabbitMQ, and those of several instances. */
const faultsOnPostgres = [
  'tests/faults/*.postgres.test.ts',
  'tests/faults/injected-faults.test.ts',
  'tests/faults/kill-all-in-one.test.ts',
  'tests/faults/kill-per-service.rabbitmq.test.ts',
  'tests/faults/resend-after-restart.rabbitmq.test.ts',
];

export default defineConfig({
  test: {
    // .stryker-tmp: a mutation run's copies of the tests, while one runs.
    exclude: ['node_modules/**', 'data/**', '.stryker-tmp/**'],
    env: { NODE_ENV: 'test' },
    testTimeout: 30_000,
    hookTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['{app,broker,contracts,db,http,lib,platform,saga,scripts,services}/**/*.test.ts'],
          exclude: [needsRabbitMq, needsPostgres],
        },
      },
      {
        extends: true,
        test: {
          name: 'embedded',
          include: ['tests/**/*.test.ts'],
          exclude: [needsRabbitMq, needsChromium, needsPostgres, needsCluster],
          env: { TEST_TRANSPORTS: 'in-process' },
        },
      },
      {
        extends: true,
        test: {
          name: 'rabbitmq',
          include: [needsRabbitMq, ...onEachTransport],
          exclude: [restart],
          env: { TEST_TRANSPORTS: 'rabbitmq' },
        },
      },
      { extends: true, test: { name: 'rabbitmq-restart', include: [restart], env: { TEST_TRANSPORTS: 'rabbitmq' } } },
      {
        extends: true,
        test: {
          name: 'postgres',
          include: [needsPostgres],
          exclude: [restartPostgres, ...faultsOnPostgres],
          globalSetup: [postgresRun],
        },
      },
      { extends: true, test: { name: 'postgres-restart', include: [restartPostgres], globalSetup: [postgresRun] } },
      {
        extends: true,
        test: {
          name: 'postgres-scenarios',
          include: ['tests/scenarios/**/*.test.ts'],
          globalSetup: [postgresRun],
          env: onPostgres,
        },
      },
      {
        extends: true,
        test: {
          name: 'postgres-faults',
          include: faultsOnPostgres,
          exclude: [restartPostgres],
          globalSetup: [postgresRun],
          env: onPostgres,
        },
      },
      {
        extends: true,
        test: {
          name: 'cluster',
          include: [
            'tests/scenarios/**/*.test.ts',
            'broker/rabbitmq/*.rabbitmq.test.ts',
            'tests/broker/adapter.rabbitmq.test.ts',
            'tests/broker/quorum.rabbitmq.test.ts',
            'tests/broker/dlq-cli.test.ts',
            'tests/broker/backlog.rabbitmq.test.ts',
          ],
          env: onCluster,
        },
      },
      { extends: true, test: { name: 'cluster-node-loss', include: [needsCluster], env: onCluster } },
      {
        extends: true,
        test: {
          name: 'browser',
          include: [needsChromium],
          globalSetup: ['tests/ui/chromium.ts'],
          env: { TEST_TRANSPORTS: 'in-process' },
        },
      },
    ],
  },
});
