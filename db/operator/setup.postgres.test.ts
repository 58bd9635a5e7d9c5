import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import pg from 'pg';
import { scratchPostgres, testDatabaseUrl, type ScratchPostgres } from '../scratch/postgres';
import { databaseServices, databaseUrlVariable } from '../locations';
import { openPostgres, sqlStateOf } from '../postgres';
import { setUpDatabase } from './setup';
import { setupInput } from './setup-plan';

// Roles belong to the server, not to a database: each run names its own and drops them.
const prefix = `saga_test_${randomBytes(4).toString('hex')}`;
let scratch: ScratchPostgres;

beforeEach(async () => {
  scratch = await scratchPostgres();
});
afterEach(async () => {
  await scratch.drop();
  await asUser(testDatabaseUrl, (client) =>
    client.query(databaseServices.map((service) => `DROP ROLE IF EXISTS ${prefix}_${service}`).join('; ')),
  );
});

/** Each service's URL on the scratch database, as its own role. */
function serviceUrl(service: string, password = `${service}-password-1`): string {
  const url = new URL(scratch.url);
  url.username = `${prefix}_${service}`;
  url.password = password;
  return url.href;
}

const environment = (password?: string) => ({
  DATABASE_ADMIN_URL: testDatabaseUrl,
  ...Object.fromEntries(
    databaseServices.map((service) => [databaseUrlVariable(service), serviceUrl(service, password)]),
  ),
});

async function asUser<R>(url: string, work: (client: pg.Client) => Promise<R>): Promise<R> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const refusal = (promise: Promise<unknown>) => promise.then(() => 'no refusal', sqlStateOf);

it('gives each service a role that reaches its own schema and no other, and can run again', async () => {
  expect(await setUpDatabase(setupInput(environment()))).toHaveLength(5);
  expect(await setUpDatabase(setupInput(environment('a-new-password')))).toEqual([]);

  const roles = await asUser(scratch.url, async (client) => {
    const { rows } = await client.query(
      `SELECT r.rolname, r.rolsuper, r.rolcreatedb, r.rolcanlogin, n.nspname AS owns
         FROM pg_roles r JOIN pg_namespace n ON n.nspowner = r.oid WHERE r.rolname LIKE $1 ORDER BY n.nspname`,
      [`${prefix}_%`],
    );
    return rows;
  });
  expect(roles).toEqual(
    [...databaseServices].sort().map((service) => ({
      rolname: `${prefix}_${service}`,
      rolsuper: false,
      rolcreatedb: false,
      rolcanlogin: true,
      owns: service,
    })),
  );

  // The orders role makes a table in its schema; the products role can neither read it nor
  // make one there, but makes its own, migrations included, under least privilege.
  await asUser(serviceUrl('orders'), (client) => client.query('CREATE TABLE orders.secrets (id int)'));
  await asUser(serviceUrl('products'), async (client) => {
    expect(await refusal(client.query('SELECT * FROM orders.secrets'))).toBe('42501');
    expect(await refusal(client.query('CREATE TABLE orders.intruder (id int)'))).toBe('42501');
    expect(await refusal(client.query('CREATE SCHEMA elsewhere'))).toBe('42501');
    await client.query('CREATE TABLE products.mine (id int)');
  });
  const products = await openPostgres(
    { url: serviceUrl('products'), schema: 'products' },
    {
      schema: {},
      migrations: new URL('../../services/products/postgres/migrations', import.meta.url),
      store: () => ({}),
    },
  );
  await products.ping();
  await products.close();
});
