import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import pg from 'pg';
import { redactUrl } from '../../lib/redact-url';
import { databaseServices, databaseUrlVariable, type DatabaseService } from '../locations';

/**
 * What `npm run db:setup` does, decided without a server: from the URL each service connects
 * with, a role per service (its user and password) and a schema per service that only that
 * role can reach.
 */

/** The superuser db:setup connects as unless DATABASE_ADMIN_URL says otherwise. */
export const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface ServiceRole {
  service: DatabaseService;
  /** The service's schema: named for the service, as openPostgres expects. */
  schema: DatabaseService;
  role: string;
  password: string;
}

export interface SetupInput {
  /** The superuser's URL, as given: on a database of its own, where the services' is created if missing. */
  adminUrl: string;
  /** The database every service's schema is made in. */
  database: string;
  roles: ServiceRole[];
}

/** Passwords anyone can read in this repository or its examples, refused in production. */
const PLACEHOLDERS = new Set(['postgres', 'password', 'secret', 'admin']);
const MIN_PASSWORD_LENGTH = 12;

/**
 * Reads DATABASE_URL_<SERVICE> for every service and DATABASE_ADMIN_URL. Throws, naming the
 * variable and never a password, when one is missing or unusable, when two services share a
 * user or the admin's, when they are not on one database, and in production when a password
 * is weak: shorter than 12 characters or a known placeholder (change-me…).
 */
export function setupInput(env: Record<string, string | undefined>): SetupInput {
  const production = env.NODE_ENV === 'production';
  const missing = databaseServices.map(databaseUrlVariable).filter((variable) => !env[variable]);
  if (missing.length > 0) throw new Error(`set ${missing.join(', ')}`);
  const admin = parse('DATABASE_ADMIN_URL', env.DATABASE_ADMIN_URL || DEFAULT_ADMIN_URL);
  const services = databaseServices.map((service) => {
    const variable = databaseUrlVariable(service);
    const url = parse(variable, env[variable]!);
    const role = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    if (!role || !password) throw new Error(`${variable} must carry a user name and a password`);
    if (production) {
      if (password.length < MIN_PASSWORD_LENGTH || isPlaceholder(password))
        throw new Error(
          `NODE_ENV=production refuses the password in ${variable}: at least ${MIN_PASSWORD_LENGTH} characters, not a placeholder`,
        );
    }
    return { variable, url, role: { service, schema: service, role, password } };
  });

  const servers = new Set(services.map(({ url }) => serverOf(url)));
  if (servers.size > 1)
    throw new Error(`every DATABASE_URL_<SERVICE> must name the same database, not ${[...servers].join(' and ')}`);
  const [server] = servers;
  if (serverOf(admin, '') !== serverOf(services[0]!.url, ''))
    throw new Error(`DATABASE_ADMIN_URL must be on the services' server ${serverOf(services[0]!.url, '')}`);
  const database = decodeURIComponent(services[0]!.url.pathname.slice(1));
  if (!database) throw new Error(`the DATABASE_URL_<SERVICE> must name a database: ${server}`);

  const roles = services.map((service) => service.role.role);
  const shared = roles.find((role, index) => roles.indexOf(role) !== index);
  if (shared) throw new Error(`each service needs a user of its own; ${shared} is given twice`);
  const adminUser = decodeURIComponent(admin.username);
  const asAdmin = services.find(({ role }) => role.role === adminUser);
  if (asAdmin) throw new Error(`${asAdmin.variable} must not use DATABASE_ADMIN_URL's user ${adminUser}`);

  return { adminUrl: admin.href, database, roles: services.map((service) => service.role) };
}

const isPlaceholder = (password: string) =>
  PLACEHOLDERS.has(password.toLowerCase()) || password.toLowerCase().startsWith('change-me');

function parse(variable: string, raw: string): URL {
  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  if (!url || (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') || !url.hostname)
    throw new Error(`${variable} must be a postgres:// or postgresql:// URL, not ${redactUrl(raw)}`);
  return url;
}

/** host:port/database, with libpq's default port, to compare where two URLs lead. */
const serverOf = (url: URL, database = url.pathname) => `${url.hostname}:${url.port || '5432'}${database}`;

/**
 * The statements that make the roles and schemas, given the roles that exist already (their
 * password is set again, so a rerun changes it), to run in one transaction as a superuser on
 * the services' database. Each role may log in and do nothing else by itself; its schema is
 * its own, and nobody else's privileges on it are kept. The password goes as a SCRAM secret,
 * so no statement (nor a server's statement log) holds it.
 */
export function setupStatements(input: SetupInput, existingRoles: ReadonlySet<string>): string[] {
  const { escapeIdentifier: id, escapeLiteral: literal } = pg;
  return input.roles.flatMap(({ role, schema, password }) => [
    `${existingRoles.has(role) ? 'ALTER' : 'CREATE'} ROLE ${id(role)} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD ${literal(scramSecret(password))}`,
    `GRANT CONNECT ON DATABASE ${id(input.database)} TO ${id(role)}`,
    `CREATE SCHEMA IF NOT EXISTS ${id(schema)} AUTHORIZATION ${id(role)}`,
    `ALTER SCHEMA ${id(schema)} OWNER TO ${id(role)}`,
    `REVOKE ALL ON SCHEMA ${id(schema)} FROM PUBLIC`,
  ]);
}

/**
 * The SCRAM-SHA-256 secret PostgreSQL keeps for `password` (RFC 5802 / 7677): with it, the
 * server checks the password without ever being sent it. 4096 iterations, as PostgreSQL's own.
 * Passwords are taken as given (PostgreSQL SASLprep-normalises non-ASCII ones first; keep them ASCII).
 */
export function scramSecret(password: string, salt: Buffer = randomBytes(16), iterations = 4096): string {
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest('base64');
  const serverKey = createHmac('sha256', salted).update('Server Key').digest('base64');
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey}:${serverKey}`;
}
