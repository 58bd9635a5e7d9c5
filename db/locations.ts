import { databaseFile } from './sqlite';
import { redactUrl } from '../lib/redact-url';

/** The services that keep a database, each in a SQLite file or a PostgreSQL schema named for it. */
export const databaseServices = ['orders', 'orchestrator', 'users', 'products', 'payments'] as const;
export type DatabaseService = (typeof databaseServices)[number];

export type DatabaseLocation = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string; schema: string };

/** The variable that gives one service a database of its own (and a user of its own), over DATABASE_URL. */
export const databaseUrlVariable = (service: DatabaseService) => `DATABASE_URL_${service.toUpperCase()}`;

/**
 * Where `service` keeps its state: DATABASE_URL_<SERVICE>, else DATABASE_URL, in a schema named
 * for the service; neither set (or set empty, as in a .env file), its SQLite file under `dataDir`.
 * Throws, naming the variable and never its password, if the URL is not a PostgreSQL one.
 */
export function databaseLocation(
  env: Record<string, string | undefined>,
  service: DatabaseService,
  dataDir: string,
): DatabaseLocation {
  const variable = [databaseUrlVariable(service), 'DATABASE_URL'].find((name) => env[name]);
  if (!variable) return { kind: 'sqlite', file: databaseFile(dataDir, service) };
  const url = env[variable]!;
  if (!isPostgresUrl(url))
    throw new Error(`${variable} must be a postgres:// or postgresql:// URL, not ${redactUrl(url)}`);
  return { kind: 'postgres', url, schema: service };
}

function isPostgresUrl(url: string): boolean {
  if (!URL.canParse(url)) return false;
  const { protocol, hostname } = new URL(url);
  return (protocol === 'postgres:' || protocol === 'postgresql:') && hostname !== '';
}
