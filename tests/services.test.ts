import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { serviceNames } from '../contracts/services';
import { AuditedService } from '../contracts/rest-requests';
import { databaseServices } from '../db/locations';

const root = join(import.meta.dirname, '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');

/**
 * `contracts/services.ts` is the one list of services. What cannot import it (the db layer
 * sits beside contracts; package.json, compose and nginx are not TypeScript) is checked here,
 * so a service added or renamed in one place and not the others fails.
 */
describe('the one list of services', () => {
  it('is the db layer’s list, in the same order', () => {
    expect(databaseServices).toEqual(serviceNames);
  });

  it('has a start script each in package.json, and no other', () => {
    const scripts = Object.keys((JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts);
    expect(scripts.filter((name) => /^start:[a-z]+$/.test(name) && name !== 'start:prod').sort()).toEqual(
      serviceNames.map((service) => `start:${service}`).sort(),
    );
  });

  it('has a compose service each, running that service, and an upstream each behind the entry point', () => {
    const compose = parse(read('docker-compose.yml')) as { services: Record<string, { command?: string[] }> };
    for (const service of serviceNames) expect(compose.services[service]?.command).toContain(service);
    const upstreams = [...read('deploy/proxy/nginx.conf').matchAll(/^upstream (\S+) /gm)].map((m) => m[1]);
    expect(upstreams.sort()).toEqual([...serviceNames].sort());
  });

  it('names only services where a route takes one', () => {
    for (const service of AuditedService.options) expect(serviceNames).toContain(service);
  });
});
