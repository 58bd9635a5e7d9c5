import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { settingNames } from '../app/config';
import { messageTypes } from '../contracts';
import { stepNames, steps } from '../contracts/steps';

const root = join(import.meta.dirname, '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');
const pages = ['README.md', 'docs/architecture.md', 'docs/contract.md'];
/** Markdown tables are padded to line up: compare them with single spaces. */
const spaced = (text: string) => text.replace(/ +/g, ' ');

describe('the documentation', () => {
  it.each(pages)('%s links only to files in the repository, all of which exist', (page) => {
    const links = [...read(page).matchAll(/\]\(([^)]+)\)/g)].map((match) => match[1]!);
    const local = links.filter((link) => !/^[a-z]+:/.test(link)).map((link) => link.split('#')[0]!);
    for (const link of local) {
      const target = resolve(dirname(join(root, page)), link);
      expect(target.startsWith(`${root}/`), `${page} links outside the repository: ${link}`).toBe(true);
      expect(existsSync(target), `${page} links to a missing file: ${link}`).toBe(true);
    }
  });

  it("the README's folder map names every top-level folder", () => {
    const tracked = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' }).split('\n');
    const folders = [...new Set(tracked.filter((file) => file.includes('/')).map((file) => file.split('/')[0]!))];
    const map = read('README.md').match(/^```\n(lib\/[\s\S]*?)```$/m)?.[1] ?? '';
    for (const folder of folders)
      expect(map, `README folder map: ${folder}/`).toMatch(new RegExp(`^${folder.replace('.', '\\.')}/`, 'm'));
  });

  it('the contract page names every message type and every setting the app reads', () => {
    const contract = spaced(read('docs/contract.md'));
    for (const type of messageTypes) expect(contract, type).toContain(`| \`${type}\` |`);
    for (const name of [...settingNames, 'LOG_LEVEL', 'LOG_FORMAT']) {
      const listed = name.startsWith('BROKER_URL_')
        ? 'BROKER_URL_<SERVICE>'
        : name.startsWith('DATABASE_URL_')
          ? 'DATABASE_URL_<SERVICE>'
          : name;
      expect(contract, name).toContain(`\`${listed}\``);
    }
  });

  it('.env.example lists every setting the app reads', () => {
    const example = read('.env.example');
    for (const name of [...settingNames, 'LOG_LEVEL', 'LOG_FORMAT'])
      expect(example, name).toMatch(new RegExp(`^(# )?${name}=`, 'm'));
  });

  it("the contract page's step table is contracts/steps.ts", () => {
    const contract = spaced(read('docs/contract.md'));
    for (const step of stepNames) {
      const { kind, command, succeeded, defaultTimeoutMs } = steps[step];
      const failed = 'failed' in steps[step] ? `\`${steps[step].failed}\`` : '';
      expect(contract).toContain(
        spaced(
          `| \`${step}\` | ${kind} | \`${command}\` | \`${succeeded}\` | ${failed} | ${defaultTimeoutMs / 1000} s |`,
        ),
      );
    }
  });
});
