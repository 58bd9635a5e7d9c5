import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveSecretFiles } from './secret-files';

const files = (contents: Record<string, string>) => (path: string) => {
  const content = contents[path];
  if (content === undefined) throw Object.assign(new Error(`ENOENT: no such file, open '${path}'`), { code: 'ENOENT' });
  return content;
};

describe('resolveSecretFiles', () => {
  it('given NAME_FILE, when resolved, then NAME is the file less one trailing newline', () => {
    const read = files({ '/run/secrets/jwt': 'jwt-from-file\n', '/run/secrets/db': 'postgres://u:p@db/shop\n\n' });
    const { env, problems } = resolveSecretFiles(
      { JWT_SECRET_FILE: '/run/secrets/jwt', DATABASE_URL_FILE: '/run/secrets/db', PORT: '80' },
      ['JWT_SECRET', 'DATABASE_URL'],
      read,
    );
    expect(problems).toEqual([]);
    expect(env).toMatchObject({ JWT_SECRET: 'jwt-from-file', DATABASE_URL: 'postgres://u:p@db/shop\n', PORT: '80' });
  });

  it('given a file written on Windows, when resolved, then its one CRLF goes too', () => {
    const { env } = resolveSecretFiles({ KEY_FILE: '/k' }, ['KEY'], files({ '/k': 'key\r\n' }));
    expect(env.KEY).toBe('key');
  });

  it('given only NAME, or NAME_FILE of a name not listed, when resolved, then nothing is read', () => {
    const read = () => {
      throw new Error('read');
    };
    expect(resolveSecretFiles({ JWT_SECRET: 'plain', OTHER_FILE: '/x' }, ['JWT_SECRET'], read)).toEqual({
      env: { JWT_SECRET: 'plain', OTHER_FILE: '/x' },
      problems: [],
    });
  });

  it('given both NAME and NAME_FILE, when resolved, then a problem names both and the value stays out', () => {
    const { problems } = resolveSecretFiles(
      { ADMIN_PASSWORD: 'hunter2', ADMIN_PASSWORD_FILE: '/p' },
      ['ADMIN_PASSWORD'],
      files({ '/p': 'hunter3' }),
    );
    expect(problems).toEqual(['set ADMIN_PASSWORD or ADMIN_PASSWORD_FILE, not both']);
  });

  it('given an empty NAME beside NAME_FILE, when resolved, then the empty one counts as unset', () => {
    const { env, problems } = resolveSecretFiles({ KEY: '', KEY_FILE: '/k' }, ['KEY'], files({ '/k': 'key' }));
    expect(problems).toEqual([]);
    expect(env.KEY).toBe('key');
  });

  it('given files that are missing, a folder or empty, when resolved, then each is a problem naming variable and path', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'secret-files-'));
    const empty = join(folder, 'empty');
    await writeFile(empty, '\n');
    const { env, problems } = resolveSecretFiles({ A_FILE: join(folder, 'missing'), B_FILE: folder, C_FILE: empty }, [
      'A',
      'B',
      'C',
    ]);
    expect(problems).toEqual([
      `A_FILE: cannot read ${join(folder, 'missing')} (ENOENT)`,
      `B_FILE: cannot read ${folder} (EISDIR)`,
      `C_FILE: ${empty} is empty`,
    ]);
    expect([env.A, env.B, env.C]).toEqual([undefined, undefined, undefined]);
  });
});
