import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../app/server/config';
import { startSystem } from '../app/server/system';
import { createLogger } from '../lib/logger';

/**
 * `npm run docs:openapi`: writes the OpenAPI document the app serves at /openapi.json to
 * docs/openapi.json, for readers of the repository and for tools (`npm run lint` runs Redocly's
 * recommended rules on it); docker compose's entry point serves it as the whole API's. A test
 * checks that the committed file is the one the code makes.
 */
export async function generatedDocument(): Promise<object> {
  const dataDir = await mkdtemp(join(tmpdir(), 'openapi-'));
  const system = await startSystem(loadConfig({ DATA_DIR: dataDir }), { logger: createLogger(undefined, 'silent') });
  try {
    const document = (await (await system.app.request('/openapi.json')).json()) as object;
    return {
      ...document,
      servers: [{ url: 'http://localhost:3000', description: 'npm start, or the entry point of docker compose' }],
    };
  } finally {
    await system.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

export const documentFile = join(import.meta.dirname, '..', 'docs', 'openapi.json');

if (process.argv[1] === import.meta.filename) {
  await writeFile(documentFile, `${JSON.stringify(await generatedDocument(), null, 2)}\n`);
  console.log(`wrote ${documentFile}`);
}
