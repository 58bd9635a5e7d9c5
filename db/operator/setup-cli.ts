import { Command } from 'commander';
import { print, runCli } from '../../lib/cli';
import { redactUrl } from '../../lib/redact-url';
import { withSecretFiles } from '../../lib/secret-files';
import { databaseServices, databaseUrlVariable } from '../locations';
import { setUpDatabase } from './setup';
import { setupInput } from './setup-plan';

/**
 * `npm run db:setup`: least privilege on PostgreSQL. From the URL each service connects with
 * (DATABASE_URL_<SERVICE>: users, products, orders, payments, orchestrator), as the superuser
 * of DATABASE_ADMIN_URL, it makes their database if missing, a role per service with that
 * URL's user and password, and a schema per service that only its role can reach. Each URL may
 * come from a file instead, as <NAME>_FILE (lib/secret-files.ts).
 */

const program = new Command('db:setup')
  .description(
    'Create the PostgreSQL database, a role and a schema per service, each role reaching its own schema only, from DATABASE_URL_<SERVICE> and DATABASE_ADMIN_URL.',
  )
  .addHelpText(
    'after',
    '\nExample:\n  DATABASE_URL_ORDERS=postgres://shop_orders:secret@127.0.0.1:5432/shop … npm run db:setup' +
      '\nDATABASE_ADMIN_URL defaults to postgres://postgres@127.0.0.1:5432/postgres.',
  )
  .action(async () => {
    const input = setupInput(
      withSecretFiles(process.env, [...databaseServices.map(databaseUrlVariable), 'DATABASE_ADMIN_URL']),
    );
    const created = new Set(await setUpDatabase(input));
    print([
      `database ${input.database}, as ${redactUrl(input.adminUrl)}:`,
      ...input.roles.map(
        ({ service, role, schema }) =>
          `  ${service.padEnd(12)} role ${role.padEnd(24)} ${created.has(role) ? 'created' : 'updated'}, schema ${schema}`,
      ),
    ]);
  });

await runCli(program);
