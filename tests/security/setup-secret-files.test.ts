import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { brokerRoles, urlVariable } from '../../broker/operator/rabbitmq-permissions';
import { databaseUrlVariable } from '../../db/locations';

const exec = promisify(execFile);

/** `npm run <script>` as a child process, by its file, with `env` over this process's environment. */
async function run(script: string, env: Record<string, string>, ...args: string[]) {
  try {
    const { stdout, stderr } = await exec('node_modules/.bin/tsx', [script, ...args], {
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('the setup commands read role URLs from <NAME>_FILE too', () => {
  it('broker:setup makes each role’s user from its file, and prints none of the passwords', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'setup-secrets-'));
    const password = (role: string) => `MARKER-${role}-password-from-a-file`;
    const env: Record<string, string> = {};
    for (const role of brokerRoles) {
      const file = join(folder, role);
      await writeFile(file, `amqp://shop-${role}:${password(role)}@127.0.0.1:5672/shop\n`);
      env[`${urlVariable(role)}_FILE`] = file;
    }
    const output = join(folder, 'definitions.json');
    const setup = await run('broker/operator/setup-cli.ts', env, '--output', output);
    expect(setup.stderr).toBe('');
    expect(setup.code).toBe(0);
    const definitions = JSON.parse(await readFile(output, 'utf8')) as { users: { name: string }[] };
    expect(definitions.users.map((user) => user.name).sort()).toEqual(brokerRoles.map((role) => `shop-${role}`).sort());
    for (const role of brokerRoles) {
      expect(setup.stdout).toContain(`shop-${role}`);
      expect(`${setup.stdout}${await readFile(output, 'utf8')}`).not.toContain(password(role));
    }

    const twice = await run('broker/operator/setup-cli.ts', { ...env, BROKER_URL_ORDERS: 'amqp://x:y@h/shop' });
    expect(twice).toMatchObject({ code: 1, stdout: '' });
    expect(twice.stderr).toBe('error: set BROKER_URL_ORDERS or BROKER_URL_ORDERS_FILE, not both\n');
  });

  it('db:setup names a file it cannot read before it connects to anything', async () => {
    const missing = join(tmpdir(), 'no-such-database-url');
    const setup = await run('db/operator/setup-cli.ts', {
      [`${databaseUrlVariable('orders')}_FILE`]: missing,
      DATABASE_ADMIN_URL_FILE: `${missing}-admin`,
    });
    expect(setup).toMatchObject({ code: 1, stdout: '' });
    expect(setup.stderr).toBe(
      `error: DATABASE_URL_ORDERS_FILE: cannot read ${missing} (ENOENT); DATABASE_ADMIN_URL_FILE: cannot read ${missing}-admin (ENOENT)\n`,
    );
  });
});
