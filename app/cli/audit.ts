import { resolve } from 'node:path';
import { Command } from 'commander';
import { AuditSnapshot } from '../../contracts/rest';
import { print } from '../../lib/cli';
import { adminClient } from '../../lib/http-client';
import { auditReads, auditState, readAuditState } from '../operator/audit/read-state';
import { auditViolations, type AuditState } from '../operator/audit/violations';
import { adminOptions, sourceOptions, type SourceOptions } from './source';

const count = (n: number, thing: string) => `${n} ${thing}${n === 1 ? '' : 's'}`;

/** `saga-shop audit [--url …|--data-dir …]`: the design's invariants over every service's data; exit 1 on any violation. */
export const auditCommand = () =>
  sourceOptions(
    new Command('audit')
      .summary('checks the invariants across every service’s data; exit 1 on a violation')
      .description(
        'Checks the invariants across every service’s data: stock conserved, never negative or oversold, nothing ' +
          'left reserved for a finished order, no order both confirmed and cancelled, every settled payment on a ' +
          'confirmed order, every finished order agreeing with its saga. Prints each violation with its ids; exit ' +
          'code 1 when there is one. Reads a running shop over HTTP (as an admin), or its files with --data-dir.',
      ),
    'every service’s database',
  )
    .option('--json', 'one JSON line per violation, then one with the counts')
    .action(async (options: SourceOptions & { json?: boolean }) => {
      const state = options.dataDir ? await readAuditState(resolve(options.dataDir)) : await fetchAuditState(options);
      const violations = auditViolations(state);
      const checked = { orders: state.orders.length, products: state.products.length, payments: state.payments.length };
      if (options.json)
        print([
          ...violations.map((v) => JSON.stringify(v)),
          JSON.stringify({ checked, violations: violations.length }),
        ]);
      else
        print([
          ...violations.map((v) => `✗ ${v.message}`),
          `${violations.length === 0 ? 'no violations' : count(violations.length, 'violation')} in ` +
            `${count(checked.orders, 'order')}, ${count(checked.products, 'product')}, ${count(checked.payments, 'payment')}`,
        ]);
      if (violations.length > 0) process.exitCode = 1;
    });

/** Each service's rows from `GET /audit/{service}`, one after the other, in the order of `auditReads`. */
async function fetchAuditState(options: SourceOptions): Promise<AuditState> {
  const { get, ok } = adminClient(adminOptions(options));
  const snapshots: AuditSnapshot[] = [];
  for (const service of auditReads) {
    const parsed = AuditSnapshot.safeParse(ok(await get(`/audit/${service}`)));
    if (!parsed.success) throw new Error(`GET /audit/${service} answered what is not an audit snapshot`);
    snapshots.push(parsed.data);
  }
  return auditState(snapshots);
}
