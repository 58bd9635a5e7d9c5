import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

describe('the deployment files', () => {
  it.each(['docker-compose.yml', 'Dockerfile'])('%s runs only files that exist', (file) => {
    const text = readFileSync(join(root, file), 'utf8');
    // Every file a command names: `"app/main.ts"`, `bin/saga-shop.mjs`, `broker/operator/setup-cli.ts …`.
    const scripts = [...text.matchAll(/[\s"]([\w.-]+\/[\w./-]+\.(?:ts|mjs))\b/g)].map((match) => match[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) expect(existsSync(join(root, script)), `${file} runs ${script}`).toBe(true);
  });
});
