import { Command } from 'commander';
import { print, runCli } from '../../lib/cli';
import { clusterBrokerUrl, clusterDown, clusterNodes, clusterRoot, clusterUp } from './cluster';

/**
 * `npm run cluster:up` / `npm run cluster:down`: the local three-node RabbitMQ cluster for tests
 * (scripts/cluster/cluster.ts), beside the machine's own node on 5672, which it never touches.
 */

const names = clusterNodes.map((node) => node.name).join(', ');

const program = new Command('cluster').description('A local three-node RabbitMQ cluster for tests');

program
  .command('up')
  .description('start the three nodes and cluster them, unless they already run clustered')
  .action(async () => {
    const outcome = await clusterUp();
    print([`cluster ${outcome === 'started' ? 'started' : 'already up'}: ${names}`, `BROKER_URL=${clusterBrokerUrl}`]);
  });

program
  .command('down')
  .description('stop the three nodes and remove their folders')
  .action(async () => {
    await clusterDown();
    print([`cluster down: stopped ${names}, removed ${clusterRoot}`]);
  });

await runCli(program);
