import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { waitFor } from '../../lib/wait';
import { CARDS } from '../support/api';
import { readEndState } from '../support/end-state';
import { expectInvariants } from '../support/invariants';
import { startTestSystem, type TestSystem } from '../support/system';

/**
 * Every statement the shop prepares while it takes orders, fails them, cancels them, lists,
 * traces and prunes, recorded as SQLite is asked to prepare it, then planned again with
 * EXPLAIN QUERY PLAN on the same file: none may read a whole table where an index would do.
 */
const root = join(import.meta.dirname, '..', '..');
const prepared = new Map<string, Set<string>>();
const prepare = Database.prototype.prepare;
const spy = vi.spyOn(Database.prototype, 'prepare').mockImplementation(function (
  this: Database.Database,
  source: string,
) {
  // The test's own reads (of the end state) open their connections read-only.
  if (this.readonly) return prepare.call(this, source);
  if (!prepared.has(this.name)) prepared.set(this.name, new Set());
  prepared.get(this.name)!.add(source);
  return prepare.call(this, source);
});

/** The statements of every migration, which run once on a young table. */
const migrationStatements = new Set(
  ['services/users', 'services/products', 'services/orders', 'services/payments', 'saga/runtime']
    .map((service) => join(root, service, 'sqlite', 'migrations'))
    .flatMap((dir) => readdirSync(dir).flatMap((file) => (file.endsWith('.sql') ? [join(dir, file)] : [])))
    .flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('--> statement-breakpoint')
        .map((statement) => statement.trim()),
    ),
);

/** Whole-table reads that are right as they are, each with the reason. */
const allowed: { sql: RegExp; why: string }[] = [
  { sql: /__drizzle_migrations/, why: "the migrator's own bookkeeping, once at start" },
  {
    sql: /from "order_history" where "order_history"."order_id" in \(.*\) order by "order_history"."seq"/,
    why: 'the histories of one page of orders, found by order id, then put in order: at most a page',
  },
  {
    sql: /select count\(\*\), min\("created_at"\) from "outbox"/,
    why: '/health counts the unpublished rows: a handful, unless the broker has been away',
  },
];

/**
 * The plan lines of `sql` that read a whole table or sort everything matched, on the database
 * file it was prepared for.
 */
function scans(file: string, sql: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    // A plan does not depend on the values bound: NULL for each parameter, named or not.
    const named = Object.fromEntries([...sql.matchAll(/@(\w+)/g)].map(([, name]) => [name!, null]));
    const positional = Array.from(sql.matchAll(/\?/g), () => null);
    const explain = db.prepare(`EXPLAIN QUERY PLAN ${sql}`);
    const plan = (Object.keys(named).length > 0 ? explain.all(named) : explain.all(...positional)) as {
      detail: string;
    }[];
    // A subquery's rows as it yields them (a page of ids found by their own search): no table.
    const coroutines = plan.flatMap((row) => /^CO-ROUTINE (\w+)/.exec(row.detail)?.[1] ?? []);
    return plan
      .map((row) => row.detail)
      .filter(
        (detail) =>
          (/^SCAN /.test(detail) &&
            !/USING (COVERING )?INDEX|USING INTEGER PRIMARY KEY/.test(detail) &&
            !coroutines.includes(detail.slice('SCAN '.length))) ||
          // Sorting what matched instead of reading it in index order: every match is read, whatever the limit.
          /USE TEMP B-TREE FOR ORDER BY/.test(detail) ||
          filteredRowByRow(detail, sql).length > 0,
      )
      .map((detail) => {
        const columns = filteredRowByRow(detail, sql);
        return columns.length > 0 ? `${detail} then filters ${columns.join(', ')} row by row` : detail;
      });
  } finally {
    db.close();
  }
}

/**
 * The columns a statement compares with `=` (outside an OR) that the index it searches does not
 * bind: each row the index finds is read and then dropped or kept, so a listing of one status
 * reads every order of its customer. A lookup of one row by a unique key has nothing to filter.
 */
function filteredRowByRow(detail: string, sql: string): string[] {
  const search = /^SEARCH (\w+) USING (?:COVERING )?INDEX (\w+) \(([^)]*)\)/.exec(detail);
  if (!search || search[2]!.startsWith('sqlite_autoindex')) return [];
  const [, table, , constraint] = search;
  const bound = new Set(constraint!.split(' AND ').map((term) => term.replace(/[=<>].*$/, '')));
  const outsideOr = sql.replace(/\((?:[^()]|\([^()]*\))* or (?:[^()]|\([^()]*\))*\)/g, '');
  return [...outsideOr.matchAll(new RegExp(`"${table}"\\."(\\w+)" = \\?`, 'g'))]
    .map(([, column]) => column!)
    .filter((column) => !bound.has(column));
}

describe('query plans', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem('in-process', {
      env: { INBOX_RETENTION_MS: '1', TRACE_RETENTION_MS: '1', IDEMPOTENCY_RETENTION_MS: '1', PRUNE_INTERVAL_MS: '50' },
    });
  });
  afterAll(() => system.stop());

  it('read no table whole, and sort nothing unbounded, on any path a saga, a request or the pruner takes', async () => {
    const { api } = system;
    const admin = await api.adminToken();
    const buyer = await api.customer();
    const mug = await api.createProduct({ priceCents: 700, stock: 3 });
    const placed = [];
    for (const [quantity, card] of [
      [1, CARDS.settles],
      [1, CARDS.declined],
      [5, CARDS.settles],
    ] as const) {
      placed.push((await api.placeOrder(buyer.token, [{ productId: mug.id, quantity }], card)).body);
    }
    const orders = await Promise.all(placed.map((order) => api.settled(buyer.token, order.id)));
    expect(orders.map((order) => order.status)).toEqual(['CONFIRMED', 'CANCELLED', 'CANCELLED']);
    const cancelled = (await api.placeOrder(buyer.token, [{ productId: mug.id, quantity: 1 }])).body;
    await api.call('POST', `/orders/${cancelled.id}/cancel`, { token: buyer.token });
    await api.settled(buyer.token, cancelled.id);
    for (const [path, token] of [
      ['/orders', buyer.token],
      ['/orders?status=CONFIRMED', buyer.token],
      ['/orders?status=CANCELLED', admin],
      ['/orders?limit=1', admin],
      [`/orders/${orders[0]!.id}`, buyer.token],
      [`/orders/${orders[0]!.id}/invoice`, buyer.token],
      ['/orders/stats', admin],
      ['/invoices', admin],
      ['/products', buyer.token],
      [`/products/${mug.id}`, buyer.token],
      ['/sagas', admin],
      ['/sagas?status=CANCELLED', admin],
      // The saga search: each filter alone, its count, and a page after the cursor.
      ['/sagas?status=PENDING&count=true', admin],
      [`/sagas?customer=${buyer.id}&count=true`, admin],
      [`/sagas?product=${mug.id}&count=true`, admin],
      ['/sagas?reason=PAYMENT_DECLINED&count=true', admin],
      ['/sagas?step=settlePayment&count=true', admin],
      ['/sagas?createdFrom=2025-01-01T00:00:00Z&createdTo=2125-01-01T00:00:00Z&count=true', admin],
      [`/sagas?limit=1&cursor=${orders[1]!.id}`, admin],
      [`/sagas/${orders[1]!.id}`, admin],
      [`/sagas/${orders[1]!.id}/trace`, admin],
      ['/users', admin],
      ['/health', undefined],
    ] as const) {
      expect((await api.call('GET', path, { token })).status, path).toBe(200);
    }
    await waitFor(
      async () => Object.values((await readEndState(system)).inbox).every((n) => Object.keys(n).length === 0),
      {
        what: 'the pruner to have run',
      },
    );
    await expectInvariants(system);

    spy.mockRestore();

    const queries = (statements: Set<string>) =>
      [...statements].filter(
        (sql) => /^\s*(select|insert|update|delete|with)\b/i.test(sql) && !migrationStatements.has(sql.trim()),
      );
    const violations = [...prepared].flatMap(([file, statements]) =>
      queries(statements).flatMap((sql) =>
        scans(file, sql)
          .filter(() => !allowed.some((allow) => allow.sql.test(sql)))
          .map((scan) => `${file.split('/').pop()}: ${scan} in ${sql}`),
      ),
    );
    expect(violations).toEqual([]);
    // The recording itself works: the hot paths were seen.
    expect([...prepared.values()].flatMap(queries).length).toBeGreaterThan(40);
  });
});
