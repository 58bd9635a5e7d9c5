import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../app/server/config';
import { setupInput as brokerSetupInput } from '../../broker/operator/setup-input';
import { nodeUrls } from '../../broker/rabbitmq/urls';
import { setupInput as databaseSetupInput } from '../../db/operator/setup-plan';
import { assertNever } from '../../lib/assert-never';
import { composeWith, example, startedByUp } from './compose';
import { containerOf, entryOf, type Entry } from './container';
import { imageOf } from './dockerfile';
import { documentedComposeCommands, type ComposeCommand } from './documented-commands';

/**
 * Each `docker compose …` command of the README and docs/ against docker-compose.yml and the
 * image, since no Docker engine runs here: the services it names exist, and what each container
 * runs accepts the environment compose and the image give it, under the image's NODE_ENV=production.
 */

const root = join(import.meta.dirname, '..', '..');
const tsxLoader = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;
const image = imageOf();
/** A .env as a deployment sets it: every variable of .env.example given a long random value of its own. */
const dotEnv = Object.fromEntries(Object.keys(example).map((name) => [name, randomBytes(24).toString('hex')]));
const compose = composeWith(dotEnv);

/** The check each bundle of the image makes of its settings before it does anything, as it makes it. */
function acceptsItsSettings(entry: Entry, env: Record<string, string>, args: string[]): void {
  switch (entry) {
    case 'main': {
      const config = loadConfig(env);
      // app/server/main.ts refuses to run one service alone on the in-process broker.
      if (args.length > 0) expect(config.transport, `${args[0]} alone needs BROKER_URL`).toBe('rabbitmq');
      return;
    }
    case 'broker-setup':
      brokerSetupInput(env);
      return;
    case 'db-setup':
      databaseSetupInput(env);
      return;
    case 'saga-shop':
      throw new Error('the command line runs with `docker compose run`, which is checked by running it');
    default:
      assertNever(entry);
  }
}

/** `node <source> <args>` as the image runs its bundle, with only `env`, in a folder without a .env as the image's. */
function runInImage(source: string, args: string[], env: Record<string, string>, cwd: string) {
  return new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', tsxLoader, join(root, source), ...args],
      { cwd, env, timeout: 25_000 },
      (error, _stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stderr }),
    );
  });
}

let cwd: string;
beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'compose-run-'));
});
afterAll(() => rm(cwd, { recursive: true, force: true }));

async function check(command: ComposeCommand): Promise<void> {
  switch (command.kind) {
    case 'up': {
      for (const name of command.services) expect(compose.services, `a service ${name}`).toHaveProperty(name);
      const started = startedByUp(compose).filter(
        ([name]) => command.services.length === 0 || command.services.includes(name),
      );
      const ofTheImage = started.filter(([, service]) => service.build !== undefined);
      expect(ofTheImage.length).toBeGreaterThan(0);
      for (const [name, service] of ofTheImage) {
        const container = containerOf(service, image);
        const run = entryOf(container.argv);
        expect(run, `${name} runs a bundle of npm run build: ${container.argv.join(' ')}`).toBeDefined();
        expect(container.env.NODE_ENV, name).toBe('production');
        expect(() => acceptsItsSettings(run!.entry, container.env, run!.args), name).not.toThrow();
      }
      return;
    }
    case 'run': {
      const service = compose.services[command.service];
      expect(service, `a service ${command.service}`).toBeDefined();
      const container = containerOf(service!, image, command.args);
      const run = entryOf(container.argv);
      expect(run, `runs a bundle of npm run build: ${container.argv.join(' ')}`).toBeDefined();
      expect(container.env.NODE_ENV).toBe('production');
      // Its broker's nodes are known by name on compose's network only: a run that accepted its
      // settings and its arguments gets as far as looking for the first of them.
      expect(container.env.BROKER_URL, 'the broker it reaches').toBeDefined();
      const [first] = nodeUrls(container.env.BROKER_URL!).map((url) => new URL(url));
      const { code, stderr } = await runInImage(run!.source, run!.args, container.env, cwd);
      expect(code).toBe(1);
      const error = stderr.split('\n').find((line) => line.startsWith('error: '));
      expect(error).toContain(`@${first!.host}${first!.pathname}`);
      expect(error).toMatch(/: not reachable within \d+ s \(getaddrinfo (ENOTFOUND|EAI_AGAIN) /);
      expect(stderr, 'the password stays out of what it prints').not.toContain(first!.password);
      return;
    }
    case 'exec': {
      // `exec` runs in a container that is up already.
      expect(startedByUp(compose).map(([name]) => name)).toContain(command.service);
      return;
    }
    default:
      assertNever(command);
  }
}

const documented = documentedComposeCommands();
/** One check per command, however many pages show it. */
const distinct = [...new Map(documented.map((shown) => [shown.text, shown])).values()];

describe('every docker compose command the docs show', () => {
  it('is found: the docs show at least `up` and `run`', () => {
    expect(documented.map((shown) => shown.command.kind)).toEqual(expect.arrayContaining(['up', 'run']));
  });

  it.each(distinct.map((shown) => [shown.text, shown] as const))(
    '%s works with every variable of .env.example set',
    (_, shown) => check(shown.command),
  );
});
