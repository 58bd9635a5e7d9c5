import { execFile, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

/**
 * A local three-node RabbitMQ cluster for tests, run beside the machine's own node
 * (`rabbit@localhost` on 127.0.0.1:5672), which nothing here ever addresses.
 *
 * Each node gets a folder of its own (config, mnesia, logs, plugins file) under
 * `<tmpdir>/saga-shop-cluster/node-N`, because the machine's /etc/rabbitmq/rabbitmq.conf pins
 * port 5672 and its rabbitmq-env.conf sets the node name: without its own config file and a
 * node name in the environment, an extra node would collide with the machine's. As root,
 * rabbitmq-server drops to the `rabbitmq` user, so the folders must belong to that user.
 */

const run = promisify(execFile);

/** The first node's AMQP port; the others follow it. Distribution ports are 20000 above. */
const basePort = Number(process.env.CLUSTER_AMQP_PORT || 5682);
const machinePorts = [5672, 25672];

export interface ClusterNode {
  /** The Erlang node name, `saga-shop-N@localhost`. */
  name: string;
  amqpPort: number;
  distPort: number;
  url: string;
  dir: string;
}

export const clusterRoot = join(tmpdir(), 'saga-shop-cluster');

export const clusterNodes: readonly ClusterNode[] = [1, 2, 3].map((n) => {
  const amqpPort = basePort + n - 1;
  return {
    name: `saga-shop-${n}@localhost`,
    amqpPort,
    distPort: amqpPort + 20_000,
    url: `amqp://guest:guest@127.0.0.1:${amqpPort}`,
    dir: join(clusterRoot, `node-${n}`),
  };
});

for (const node of clusterNodes) {
  if (
    !Number.isInteger(node.amqpPort) ||
    machinePorts.includes(node.amqpPort) ||
    machinePorts.includes(node.distPort)
  ) {
    throw new Error(`CLUSTER_AMQP_PORT=${process.env.CLUSTER_AMQP_PORT} would collide with the machine's RabbitMQ`);
  }
}

export const clusterUrls: readonly string[] = clusterNodes.map((node) => node.url);
/** What BROKER_URL takes to reach the cluster: every node, the client picks one that answers. */
export const clusterBrokerUrl = clusterUrls.join(',');

/** The cluster's node by its name; throws for any other name, so rabbit@localhost is never addressed. */
export function clusterNode(name: string): ClusterNode {
  const node = clusterNodes.find((candidate) => candidate.name === name);
  if (!node) throw new Error(`${name} is not a node of the test cluster`);
  return node;
}

/** The cluster's node listening on this AMQP port. */
export function nodeOfPort(port: number): ClusterNode {
  const node = clusterNodes.find((candidate) => candidate.amqpPort === port);
  if (!node) throw new Error(`no node of the test cluster listens on ${port}`);
  return node;
}

const [first, ...others] = clusterNodes as [ClusterNode, ...ClusterNode[]];

/** `rabbitmqctl -n <node> …`, only ever for a node of this cluster. */
async function rabbitmqctl(node: string, args: string[], timeoutMs = 120_000): Promise<string> {
  const { stdout } = await run('rabbitmqctl', ['-n', clusterNode(node).name, ...args], { timeout: timeoutMs });
  return stdout;
}

/** Whether RabbitMQ itself (not just the Erlang node) runs on this node. */
async function isRunning(node: string): Promise<boolean> {
  try {
    await run('rabbitmq-diagnostics', ['-n', clusterNode(node).name, '-q', 'check_running'], { timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

/** Whether the Erlang node answers at all (it does while its RabbitMQ app is stopped). */
async function answers(node: string): Promise<boolean> {
  try {
    await rabbitmqctl(node, ['-q', 'ping'], 30_000);
    return true;
  } catch {
    return false;
  }
}

/** The nodes of this cluster on which RabbitMQ runs, in the cluster's order. */
export async function runningNodes(): Promise<string[]> {
  const running = await Promise.all(clusterNodes.map((node) => isRunning(node.name)));
  return clusterNodes.filter((_, i) => running[i]).map((node) => node.name);
}

/** The nodes the cluster itself counts as running, as `node`'s `cluster_status` reports them. */
async function clusterRunningNodes(node: string): Promise<string[]> {
  const status = JSON.parse(await rabbitmqctl(node, ['-q', 'cluster_status', '--formatter', 'json'], 30_000)) as {
    running_nodes?: string[];
  };
  return status.running_nodes ?? [];
}

/** Whether the first node, which the others join, sees all three running in its cluster. */
async function allClustered(): Promise<boolean> {
  try {
    const running = await clusterRunningNodes(first.name);
    return clusterNodes.every((node) => running.includes(node.name));
  } catch {
    return false;
  }
}

/** Whether a TCP connection to 127.0.0.1:port succeeds. */
function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(2_000);
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(500);
  }
}

/** Waits until the node's RabbitMQ has booted and its AMQP port accepts connections. */
async function awaitNode(node: string): Promise<void> {
  // await_startup gives up at once while the node is not yet registered with epmd.
  await until(`${node} to answer`, () => answers(node), 60_000);
  await rabbitmqctl(node, ['-q', 'await_startup', '--timeout', '90']);
  const { amqpPort } = clusterNode(node);
  await until(`${node} to accept connections on ${amqpPort}`, () => portOpen(amqpPort), 30_000);
}

/**
 * A fresh, empty folder for the node. A missing folder fails the boot
 * (failed_to_create_feature_flags_file_directory), a root-owned one too (cannot_log_to_file), so
 * as root it is handed to the `rabbitmq` user that rabbitmq-server drops to.
 */
async function prepareFolder(node: ClusterNode): Promise<void> {
  await rm(node.dir, { recursive: true, force: true });
  await mkdir(join(node.dir, 'mnesia'), { recursive: true });
  await mkdir(join(node.dir, 'log'), { recursive: true });
  await writeFile(join(node.dir, 'plugins'), '');
  // Its own listener: the machine's rabbitmq.conf would otherwise make it take 5672.
  await writeFile(
    join(node.dir, 'rabbitmq.conf'),
    `listeners.tcp.local = 127.0.0.1:${node.amqpPort}\nloopback_users.guest = false\n`,
  );
  // A quorum queue reports its message counts every tick, 5 s by default: the tests read them
  // (rabbitmqctl list_queues) to see that nothing is left waiting, so they tick faster here.
  await writeFile(join(node.dir, 'advanced.config'), '[{rabbit, [{quorum_tick_interval, 200}]}].\n');
  if (process.getuid?.() === 0) await run('chown', ['-R', 'rabbitmq:rabbitmq', node.dir]);
}

/**
 * Starts rabbitmq-server for the node from its folder, in a session of its own so that it
 * outlives this process; its output goes to `out.txt` in the folder. Returns at once: the
 * node's readiness is awaited separately.
 */
function launch(node: ClusterNode): Promise<void> {
  const out = openSync(join(node.dir, 'out.txt'), 'a');
  try {
    const child = spawn('rabbitmq-server', [], {
      cwd: node.dir,
      detached: true,
      stdio: ['ignore', out, out],
      env: {
        ...process.env,
        // These override NODENAME from the machine's rabbitmq-env.conf.
        RABBITMQ_NODENAME: node.name,
        RABBITMQ_DIST_PORT: String(node.distPort),
        RABBITMQ_CONFIG_FILE: join(node.dir, 'rabbitmq.conf'),
        RABBITMQ_ADVANCED_CONFIG_FILE: join(node.dir, 'advanced.config'),
        RABBITMQ_MNESIA_BASE: join(node.dir, 'mnesia'),
        RABBITMQ_LOG_BASE: join(node.dir, 'log'),
        RABBITMQ_PID_FILE: join(node.dir, 'pid'),
        RABBITMQ_ENABLED_PLUGINS_FILE: join(node.dir, 'plugins'),
      },
    });
    child.unref();
    return new Promise((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', reject);
    });
  } finally {
    closeSync(out);
  }
}

/** Whether the three nodes run clustered and each accepts AMQP connections. */
async function isUp(): Promise<boolean> {
  if (!(await allClustered())) return false;
  const open = await Promise.all(clusterNodes.map((node) => portOpen(node.amqpPort)));
  return open.every(Boolean);
}

/**
 * Brings the cluster up: nothing to do if its three nodes already run clustered; otherwise any
 * leftover is stopped and removed, the nodes start in parallel from fresh folders, and the
 * second and third join the first.
 */
export async function clusterUp(): Promise<'already up' | 'started'> {
  if (await isUp()) return 'already up';
  await clusterDown();
  await Promise.all(clusterNodes.map((node) => prepareFolder(node)));
  await Promise.all(clusterNodes.map((node) => launch(node)));
  await Promise.all(clusterNodes.map((node) => awaitNode(node.name)));
  // One at a time: joins change the cluster's membership, which is not meant to race.
  for (const node of others) {
    await rabbitmqctl(node.name, ['-q', 'stop_app']);
    await rabbitmqctl(node.name, ['-q', 'join_cluster', first.name]);
    await rabbitmqctl(node.name, ['-q', 'start_app']);
  }
  await until('all three nodes running in the cluster', allClustered, 60_000);
  await Promise.all(clusterNodes.map((node) => awaitNode(node.name)));
  return 'started';
}

/** Stops the three nodes (those already down are fine) and removes their folders. */
export async function clusterDown(): Promise<void> {
  // Last joined first, so the first node, which the others joined, goes last.
  for (const node of [...clusterNodes].reverse()) await stopNode(node.name);
  await rm(clusterRoot, { recursive: true, force: true });
}

/** Stops RabbitMQ on the node, leaving its Erlang node up (`rabbitmqctl stop_app`). */
export async function stopApp(node: string): Promise<void> {
  await rabbitmqctl(node, ['-q', 'stop_app']);
}

/** Starts RabbitMQ on the node again, then waits until it has booted and accepts connections. */
export async function startApp(node: string): Promise<void> {
  await rabbitmqctl(node, ['-q', 'start_app']);
  await awaitNode(node);
}

/**
 * Stops the node's Erlang node for good (`rabbitmqctl stop`). Given the pid file, rabbitmqctl
 * waits until the process has exited, so the folder is free once this returns. A node that
 * does not answer is already down.
 */
export async function stopNode(node: string): Promise<void> {
  if (!(await answers(node))) return;
  await rabbitmqctl(node, ['-q', 'stop', join(clusterNode(node).dir, 'pid')]);
}

/**
 * Starts a node stopped by stopNode again from its existing folder; its mnesia remembers the
 * cluster, so it rejoins by itself. Waits until it has booted and accepts connections.
 */
export async function startNode(node: string): Promise<void> {
  await launch(clusterNode(node));
  await awaitNode(node);
}

/**
 * Each quorum or stream queue's leader node in the vhost, as a running node of the cluster
 * reports them. Classic queues have no leader (rabbitmqctl reports an empty one) and are left out.
 */
export async function queueLeaders(vhost = '/'): Promise<Map<string, string>> {
  const [node] = await runningNodes();
  if (!node) throw new Error('no node of the test cluster is running');
  const output = await rabbitmqctl(node, ['-q', 'list_queues', '-p', vhost, 'name', 'leader', '--formatter', 'json']);
  const rows = JSON.parse(output) as { name: string; leader: string }[];
  return new Map(rows.filter((row) => row.leader).map((row) => [row.name, row.leader]));
}
