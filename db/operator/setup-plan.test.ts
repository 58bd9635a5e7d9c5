import { describe, expect, it } from 'vitest';
import { scramSecret, setupInput, setupStatements } from './setup-plan';

const urls = {
  DATABASE_URL_USERS: 'postgres://shop_users:users-password-1@db.internal:5432/shop',
  DATABASE_URL_PRODUCTS: 'postgres://shop_products:products-password@db.internal:5432/shop',
  DATABASE_URL_ORDERS: 'postgresql://shop_orders:orders%27password@db.internal/shop',
  DATABASE_URL_PAYMENTS: 'postgres://shop_payments:payments-password@db.internal:5432/shop',
  DATABASE_URL_ORCHESTRATOR: 'postgres://shop_saga:orchestrator-pw@db.internal:5432/shop',
};
const admin = { DATABASE_ADMIN_URL: 'postgres://postgres:admin-password@db.internal:5432/postgres' };

describe('setupInput', () => {
  it('takes a role per service from its URL, their database, and the admin URL', () => {
    const input = setupInput({ ...urls, ...admin });
    expect(input.database).toBe('shop');
    expect(input.adminUrl).toBe('postgres://postgres:admin-password@db.internal:5432/postgres');
    expect(input.roles).toEqual([
      { service: 'orders', schema: 'orders', role: 'shop_orders', password: "orders'password" },
      { service: 'orchestrator', schema: 'orchestrator', role: 'shop_saga', password: 'orchestrator-pw' },
      { service: 'users', schema: 'users', role: 'shop_users', password: 'users-password-1' },
      { service: 'products', schema: 'products', role: 'shop_products', password: 'products-password' },
      { service: 'payments', schema: 'payments', role: 'shop_payments', password: 'payments-password' },
    ]);
  });

  it('connects as the local postgres superuser unless told otherwise', () => {
    const local = Object.fromEntries(Object.entries(urls).map(([k, v]) => [k, v.replace('db.internal', '127.0.0.1')]));
    expect(setupInput(local).adminUrl).toBe('postgres://postgres@127.0.0.1:5432/postgres');
  });

  it('names every service URL that is missing', () => {
    const { DATABASE_URL_ORDERS, DATABASE_URL_PAYMENTS, ...rest } = urls;
    expect(() => setupInput(rest)).toThrow('set DATABASE_URL_ORDERS, DATABASE_URL_PAYMENTS');
  });

  it.each([
    [
      'a URL without a password',
      { DATABASE_URL_USERS: 'postgres://shop_users@db.internal:5432/shop' },
      'DATABASE_URL_USERS must carry a user name and a password',
    ],
    [
      'two services on one user',
      { DATABASE_URL_USERS: 'postgres://shop_orders:x-password-12@db.internal/shop' },
      'each service needs a user of its own; shop_orders is given twice',
    ],
    [
      'a service as the admin',
      { DATABASE_URL_PAYMENTS: 'postgres://postgres:x-password-12@db.internal/shop' },
      "DATABASE_URL_PAYMENTS must not use DATABASE_ADMIN_URL's user postgres",
    ],
    [
      'two databases',
      { DATABASE_URL_PAYMENTS: 'postgres://shop_payments:x-password-12@db.internal/other' },
      'every DATABASE_URL_<SERVICE> must name the same database, not db.internal:5432/shop and db.internal:5432/other',
    ],
    [
      'an admin on another server',
      { DATABASE_ADMIN_URL: 'postgres://postgres@127.0.0.1/postgres' },
      "DATABASE_ADMIN_URL must be on the services' server db.internal:5432",
    ],
    [
      'no database',
      Object.fromEntries(Object.entries(urls).map(([k, v]) => [k, v.replace(/\/shop$/, '')])),
      'must name a database',
    ],
    [
      'not a PostgreSQL URL',
      { DATABASE_URL_USERS: 'mysql://shop_users:hunter2-secret@db/shop' },
      'DATABASE_URL_USERS must be a postgres:// or postgresql:// URL, not mysql://shop_users:***@db/shop',
    ],
  ])('refuses %s', (_, overrides, message) => {
    expect(() => setupInput({ ...urls, ...admin, ...overrides })).toThrow(message);
  });

  describe('in production', () => {
    const production = { ...urls, ...admin, NODE_ENV: 'production' };

    it('takes passwords of 12 characters or more', () => {
      expect(setupInput(production).roles).toHaveLength(5);
    });

    it.each(['short-pw-11', 'change-me-orders', 'CHANGE-ME', 'Password'])(
      'refuses %s, naming the variable and not the value',
      (password) => {
        const env = { ...production, DATABASE_URL_ORDERS: `postgres://shop_orders:${password}@db.internal/shop` };
        const refusal = (() => {
          try {
            setupInput(env);
          } catch (error) {
            return (error as Error).message;
          }
        })();
        expect(refusal).toContain('NODE_ENV=production refuses the password in DATABASE_URL_ORDERS');
        expect(refusal).not.toContain(password);
      },
    );

    it('is not asked outside production', () => {
      const env = { ...urls, ...admin, DATABASE_URL_ORDERS: 'postgres://shop_orders:change-me@db.internal/shop' };
      expect(setupInput(env).roles.find((role) => role.service === 'orders')!.password).toBe('change-me');
    });
  });
});

describe('setupStatements', () => {
  const input = setupInput({ ...urls, ...admin });

  it('creates a role that may only log in, and a schema it owns and nobody else may use', () => {
    const orders = setupStatements(input, new Set()).filter((statement) => /"shop_orders"|"orders"/.test(statement));
    expect(orders).toEqual([
      expect.stringMatching(
        /^CREATE ROLE "shop_orders" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD 'SCRAM-SHA-256\$4096:[^']+'$/,
      ),
      'GRANT CONNECT ON DATABASE "shop" TO "shop_orders"',
      'CREATE SCHEMA IF NOT EXISTS "orders" AUTHORIZATION "shop_orders"',
      'ALTER SCHEMA "orders" OWNER TO "shop_orders"',
      'REVOKE ALL ON SCHEMA "orders" FROM PUBLIC',
    ]);
  });

  it('sets the password of a role that exists again, so a rerun changes it', () => {
    const statements = setupStatements(input, new Set(['shop_products']));
    expect(statements.filter((statement) => statement.startsWith('ALTER ROLE'))).toEqual([
      expect.stringMatching(/^ALTER ROLE "shop_products" WITH LOGIN .* PASSWORD 'SCRAM-SHA-256\$/),
    ]);
    expect(statements.filter((statement) => statement.startsWith('CREATE ROLE'))).toHaveLength(4);
  });

  it('never holds a password', () => {
    const text = setupStatements(input, new Set()).join('\n');
    for (const { password } of input.roles) expect(text).not.toContain(password);
  });

  it('quotes names as identifiers', () => {
    const odd = { ...input, roles: [{ ...input.roles[0]!, role: 'shop "users"' }] };
    expect(setupStatements(odd, new Set())[1]).toBe('GRANT CONNECT ON DATABASE "shop" TO "shop ""users"""');
  });
});

describe('scramSecret', () => {
  it("is PostgreSQL's secret for the password (checked against Python's hashlib)", () => {
    const salt = Buffer.from([...Array(16).keys()]);
    expect(scramSecret('pencil', salt)).toBe(
      'SCRAM-SHA-256$4096:AAECAwQFBgcICQoLDA0ODw==$zHCdol2044/ZyWzPLi7oxApCkamKw9Z+E4U/QApd/5Y=:dd5peBOitVnLNFu7VmwP+HiDaaw4OUCv396eVCWhYiE=',
    );
  });

  it('salts each secret anew', () => {
    expect(scramSecret('pencil')).not.toBe(scramSecret('pencil'));
  });
});
