import { Command, Option } from 'commander';
import type { AdminClientOptions } from '../../lib/http-client';
import { loadConfig } from '../server/config';
import { withSecretFiles } from '../../lib/secret-files';
import { httpSource, storeSource, type TraceSource } from '../../saga/trace/trace-source';

export interface SourceOptions {
  url?: string;
  token?: string;
  dataDir?: string;
}

/** Where `trace`, `sagas` and `audit` read: the shop over HTTP (as the admin), or its files under DATA_DIR. */
export const sourceOptions = (command: Command, files = 'the saga store') =>
  command
    .option('--url <url>', 'the shop to ask (default: $SAGA_SHOP_URL, or http://localhost:$PORT)')
    .option('--token <jwt>', 'an admin token (default: $SAGA_SHOP_TOKEN, or log in with ADMIN_EMAIL/ADMIN_PASSWORD)')
    .addOption(
      new Option('--data-dir <dir>', `read ${files} under this DATA_DIR instead of HTTP`).conflicts(['url', 'token']),
    );

export async function openSource(options: SourceOptions): Promise<TraceSource> {
  if (options.dataDir) return storeSource(options.dataDir);
  return httpSource(adminOptions(options));
}

/**
 * How to reach the shop as an admin: --url and --token, else SAGA_SHOP_URL and SAGA_SHOP_TOKEN
 * (or its file, SAGA_SHOP_TOKEN_FILE), else this machine's port and admin account.
 */
export function adminOptions(options: Pick<SourceOptions, 'url' | 'token'>): AdminClientOptions {
  const env = withSecretFiles(process.env, ['SAGA_SHOP_TOKEN']);
  const token = options.token ?? env.SAGA_SHOP_TOKEN;
  // Only logging in takes the admin's password: given a token, production asks for no secret.
  const config = loadConfig(env, { secrets: token ? [] : ['ADMIN_PASSWORD'] });
  return {
    url: options.url ?? process.env.SAGA_SHOP_URL ?? `http://localhost:${config.port}`,
    ...(token ? { token } : {}),
    admin: config.admin,
  };
}
