import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppProcess } from '../faults/app-process';
import { freePort } from '../faults/ports';
import { composeWith, example, startedByUp } from './compose';
import { containerOf, entryOf } from './container';
import { imageOf } from './dockerfile';

/**
 * The image's HEALTHCHECK and compose's healthcheck, each run as Docker runs it against a real
 * shop process, on the HEALTH_PORT it is configured with: the image asks liveness (a runtime
 * acting on it restarts the container, which a broker outage must not cause), compose readiness
 * (it gates the entry point's start).
 */

const image = imageOf();
const compose = composeWith(example);

interface Probe {
  /** Who asks it: the image, or the compose service it is given to. */
  by: string;
  /** How Docker runs it: `CMD` (the command itself) or `CMD-SHELL` (under sh). */
  form: string;
  argv: string[];
  healthPort: string;
}

const imageProbe: Probe = { by: 'the image', form: 'CMD', argv: image.healthcheck, healthPort: image.env.HEALTH_PORT! };
/** The servers compose starts, each with the healthcheck it gives it. */
const servers = startedByUp(compose).filter(([, service]) => {
  const run = service.build === undefined ? undefined : entryOf(containerOf(service, image).argv);
  return run?.entry === 'main';
});
const composeProbes: Probe[] = servers.map(([name, service]) => {
  const [form = '', ...argv] = service.healthcheck?.test ?? [];
  return { by: name, form, argv, healthPort: containerOf(service, image).env.HEALTH_PORT! };
});

/** The path a probe asks on 127.0.0.1 at its container's HEALTH_PORT; undefined when it asks another port. */
const pathAsked = (probe: Probe) =>
  new RegExp(`'http://127\\.0\\.0\\.1:${probe.healthPort}(/\\w+)'`).exec(probe.argv.join(' '))?.[1];

/** Runs the probe's command with its port moved to `port`: its exit code, as Docker reads it. */
function runProbe(probe: Probe, port: number): Promise<number> {
  const argv = probe.argv.map((word) => word.replace(`127.0.0.1:${probe.healthPort}`, `127.0.0.1:${port}`));
  expect(argv[0]).toBe('node');
  return new Promise((resolve) => {
    execFile(process.execPath, argv.slice(1), { timeout: 10_000 }, (error) =>
      resolve(error ? Number(error.code ?? 1) : 0),
    );
  });
}

let dataDir: string;
let shop: AppProcess;
let healthPort: number;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'probes-'));
  healthPort = await freePort();
  shop = await AppProcess.start({ dataDir, env: { HEALTH_PORT: String(healthPort) } });
}, 60_000);
afterAll(async () => {
  await shop.kill();
  await rm(dataDir, { recursive: true, force: true });
});

describe("the containers' health checks", () => {
  it('the image asks liveness (/livez), compose asks each server readiness (/readyz), each on its HEALTH_PORT', () => {
    expect(pathAsked(imageProbe)).toBe('/livez');
    expect(servers.length).toBeGreaterThan(0);
    for (const probe of composeProbes) {
      expect(probe.form, `${probe.by} runs its probe without a shell`).toBe('CMD');
      expect(pathAsked(probe), probe.by).toBe('/readyz');
    }
  });

  it('pass against a shop that is up, and fail once it is gone', async () => {
    const probes = [imageProbe, ...new Map(composeProbes.map((probe) => [probe.argv.join(' '), probe])).values()];
    for (const probe of probes) expect(await runProbe(probe, healthPort), probe.by).toBe(0);
    await shop.kill();
    for (const probe of probes) expect(await runProbe(probe, healthPort), probe.by).toBe(1);
  });
});
