import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { settingNames } from '../app/config';
import { entries } from '../scripts/build-entries';

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

  it('docker-compose.yml sets only settings the code reads, and no secret has a default', () => {
    const text = readFileSync(join(root, 'docker-compose.yml'), 'utf8');
    const compose = parse(text, { merge: true }) as {
      services: Record<string, { build?: string; environment?: Record<string, string> }>;
    };
    const known = new Set([...settingNames, 'LOG_LEVEL', 'LOG_FORMAT']);
    for (const [name, service] of Object.entries(compose.services).filter(([, service]) => service.build))
      for (const variable of Object.keys(service.environment ?? {}))
        expect(known.has(variable) || variable.startsWith('BROKER_URL_'), `${name} sets ${variable}`).toBe(true);

    const used = [...text.matchAll(/\$\{(\w+)(:?[-?])?/g)].map((match) => ({ name: match[1]!, form: match[2] }));
    const example = readFileSync(join(root, '.env.example'), 'utf8');
    for (const { name, form } of used) {
      expect(example, `.env.example lists ${name}`).toMatch(new RegExp(`^(# )?${name}=`, 'm'));
      if (/SECRET|PASSWORD|KEY/.test(name)) expect(form, `${name} must come from .env`).toBe(':?');
    }
  });

  it('the image runs node itself as a user without privileges, probed on its health port, without the tests', () => {
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    // The last stage's instructions, without its comments.
    const final = dockerfile
      .slice(dockerfile.lastIndexOf('\nFROM '))
      .split('\n')
      .filter((line) => !line.trimStart().startsWith('#'))
      .join('\n');
    expect(final).toMatch(/^USER node$/m);
    expect(final).toMatch(/^CMD \["node", "dist\/main\.js"\]$/m);
    expect(final).not.toMatch(/\bnpx\b|\bnpm\b|\btsx\b/);
    expect(dockerfile).toMatch(/^RUN npm run build$/m);
    // What compiles, draws or tests is left out of the production install the image copies.
    const { dependencies } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    for (const tool of ['tsx', 'typescript', 'esbuild', 'mermaid', 'vitest', 'playwright-core'])
      expect(Object.keys(dependencies)).not.toContain(tool);
    const healthPort = /HEALTH_PORT=(\d+)/.exec(final)?.[1];
    expect(healthPort).toBeDefined();
    expect(final).toMatch(new RegExp(`^HEALTHCHECK [\\s\\S]*127\\.0\\.0\\.1:${healthPort}/health`, 'm'));
    const ignored = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n');
    for (const left of ['node_modules', 'tests', '**/*.test.ts', '.env', 'data']) expect(ignored).toContain(left);
  });
});
