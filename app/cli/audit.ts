import { resolve } from 'node:path';
import { Command } from 'commander';
import { print } from '../../lib/cli';
import { readAuditState } from '../audit/read-state';
import { auditViolations } from '../audit/violations';

const count = (n: number, thing: string) => `${n} ${thing}${n === 1 ? '' : 's'}`;

/** `saga-shop audit --data-dir ./data`: the design's invariants over every service's data; exit 1 on any violation. */
export const auditCommand = () =>
  new Command('audit')
    .summary('checks the invariants across every service’s data; exit 1 on a violation')
    .description(
      'Checks the invariants across every service’s data: stock conserved, never negative or oversold, nothing ' +
        'left reserved for a finished order, no order both confirmed and cancelled, every settled payment on a ' +
        'confirmed order, every finished order agreeing with its saga. Prints each violation with its ids; exit ' +
        'code 1 when there is one.',
    )
    .option(
      '--data-dir <dir>',
      'the shop’s DATA_DIR (the running shop’s files may be read)',
      process.env.DATA_DIR ?? './data',
    )
    .option('--json', 'one JSON line per violation, then one with the counts')
    .action((options: { dataDir: string; json?: boolean }) => {
      const state = readAuditState(resolve(options.dataDir));
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
