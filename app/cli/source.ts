import { Command, Option } from 'commander';
import { loadConfig } from '../config';
import { httpSource, storeSource, type TraceSource } from '../../saga/trace-source';

export interface SourceOptions {
  url?: string;
  token?: string;
  dataDir?: string;
}

/** Where `trace` and `sagas` read sagas: the shop over HTTP (as the admin), or the saga store file. */
export const sourceOptions = (command: Command) =>
  command
    .option('--url <url>', 'the shop to ask (default: http://localhost:$PORT)')
    .option('--token <jwt>', 'an admin token (default: log in with ADMIN_EMAIL/ADMIN_PASSWORD)')
    .addOption(
      new Option('--data-dir <dir>', 'read the saga store under this DATA_DIR instead of HTTP').conflicts([
        'url',
        'token',
      ]),
    );

export async function openSource(options: SourceOptions): Promise<TraceSource> {
  if (options.dataDir) return storeSource(options.dataDir);
  const config = loadConfig();
  return httpSource({
    url: options.url ?? `http://localhost:${config.port}`,
    token: options.token,
    admin: config.admin,
  });
}
