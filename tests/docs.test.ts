import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { settingNames } from '../app/server/config';
import { messageTypes } from '../contracts';
import { stepNames, steps } from '../contracts/steps';

const root = join(import.meta.dirname, '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');
/** Every Markdown page: the README and each page of docs/. */
const pages = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((file) => file.endsWith('.md'))
    .map((file) => `docs/${file}`),
];
/** The folders at the root that are the repository's own: not hidden, not installed, not written by a run. */
const generated = new Set(['node_modules', 'data', 'dist', 'reports', 'test-artifacts']);
const topLevelFolders = readdirSync(root).filter(
  (name) => !name.startsWith('.') && !generated.has(name) && statSync(join(root, name)).isDirectory(),
);

/** A page's text without its fenced code blocks, where a `#` line is a comment, not a heading. */
const prose = (text: string) => text.replace(/^```[\s\S]*?^```$/gm, '');

/** The anchors GitHub makes of a page's headings: lower case, punctuation dropped, spaces as hyphens. */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const found = new Set<string>();
  for (const [, heading] of prose(text).matchAll(/^#{1,6} +(.+?) *#*$/gm)) {
    const slug = heading!
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    found.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return found;
}

/** The relative links of a page (not those in code), each with the file it names and its anchor. */
function relativeLinks(page: string): { link: string; target: string; anchor: string | undefined }[] {
  const links = [...prose(read(page)).matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!);
  return links
    .filter((link) => !/^[a-z][a-z\d+.-]*:/i.test(link))
    .map((link) => {
      const [path, anchor] = link.split('#') as [string, string | undefined];
      const target = path === '' ? join(root, page) : resolve(dirname(join(root, page)), path);
      return { link, target, anchor };
    });
}
/** The services a path's `<name>` stands for. */
const serviceFolders = readdirSync(join(root, 'services'));
/** The files a path the docs name stands for: `<name>` is any service, `*` any name. */
function filesNamed(named: string): string[] {
  let path = named;
  const pattern = new RegExp(
    `^${path
      .replace(/\/$/, '')
      .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
      .replace(/<name>/g, `(${serviceFolders.join('|')})`)
      .replace(/\*/g, '[^/]*')}$`,
  );
  const folder = path.endsWith('/') || (existsSync(join(root, path)) && statSync(join(root, path)).isDirectory());
  if (folder && !path.endsWith('/')) path = `${path}/`;
  return walk(path.split('/')[0]!).filter((file) =>
    folder ? pattern.test(file.slice(0, file.lastIndexOf('/'))) || file.startsWith(path) : pattern.test(file),
  );
}
function walk(folder: string): string[] {
  if (!existsSync(join(root, folder))) return [];
  if (!statSync(join(root, folder)).isDirectory()) return [folder];
  return readdirSync(join(root, folder)).flatMap((name) => walk(`${folder}/${name}`));
}
/** Paths in backticks that start at a top-level folder, with the names in backticks after each (`path` (`name`, …)). */
function namedPaths(text: string): { path: string; names: string[] }[] {
  const folders = topLevelFolders.join('|');
  return [
    ...prose(text).matchAll(new RegExp(`\`((?:${folders})/[^\`\\s]*)\`(?: \\(((?:\`[^\`]+\`(?:, )?)+)\\))?`, 'g')),
  ].map((match) => ({
    path: match[1]!.replace(/:\d+$/, ''),
    names: [...(match[2] ?? '').matchAll(/\`([\w.]+)\`/g)].map((name) => name[1]!),
  }));
}

/** Markdown tables are padded to line up: compare them with single spaces. */
const spaced = (text: string) => text.replace(/ +/g, ' ');

describe('the documentation', () => {
  it.each(pages)('%s links only to files in the repository, all of which exist', (page) => {
    for (const { link, target } of relativeLinks(page)) {
      expect(target.startsWith(`${root}/`), `${page} links outside the repository: ${link}`).toBe(true);
      expect(existsSync(target), `${page} links to a missing file: ${link}`).toBe(true);
    }
  });

  it.each(pages)('%s links to anchors that are headings of the page they name', (page) => {
    for (const { link, target, anchor } of relativeLinks(page)) {
      if (anchor === undefined || !target.endsWith('.md')) continue;
      const headings = anchors(readFileSync(target, 'utf8'));
      expect([...headings], `${page} links to a missing heading: ${link} (in ${relative(root, target)})`).toContain(
        anchor,
      );
    }
  });

  it("the architecture page's folder map names every top-level folder", () => {
    const architecture = read('docs/architecture.md');
    const layers = architecture.slice(architecture.indexOf('\n## Layers'));
    const section = layers.slice(0, layers.indexOf('\n## ', 1));
    const firstCells = [...section.matchAll(/^\| *([^|]*?) *\|/gm)].map((match) => match[1]!);
    expect(topLevelFolders.length).toBeGreaterThan(0);
    for (const folder of topLevelFolders)
      expect(
        firstCells.some((cell) => cell.includes(`\`${folder}/`)),
        `docs/architecture.md folder map: ${folder}/`,
      ).toBe(true);
  });

  it('every path a page names exists, and holds the names given after it', () => {
    const missing: string[] = [];
    for (const page of pages) {
      for (const { path, names } of namedPaths(read(page))) {
        const files = filesNamed(path);
        if (files.length === 0) missing.push(`${page}: ${path}`);
        const text = files
          .filter((file) => /\.(ts|mjs|cjs)$/.test(file))
          .map(read)
          .join('\n');
        for (const name of names.filter((name) => !name.includes('.')))
          if (files.length > 0 && !text.includes(name)) missing.push(`${page}: ${path} (${name})`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("the folder map's files are in the folder of their row", () => {
    const architecture = read('docs/architecture.md');
    const layers = architecture.slice(architecture.indexOf('\n## Layers'));
    const section = layers.slice(0, layers.indexOf('\n## ', 1));
    const misplaced: string[] = [];
    for (const [, folders, holds] of section.matchAll(/^\| *(`[^|]*?) *\| *([^|]*?) *\|/gm)) {
      const roots = [...folders!.matchAll(/`([^`]+)\/`/g)].map((match) => match[1]!.replace('<name>', '[^/]+'));
      const files = roots.flatMap((folder) =>
        walk(folder.split('/')[0]!).filter((file) => new RegExp(`^${folder}/`).test(file)),
      );
      for (const [, file] of holds!.matchAll(/`([\w.-]+\.(?:ts|mjs|cjs|json|conf))`/g))
        if (!files.some((found) => found.endsWith(`/${file}`))) misplaced.push(`${roots.join(', ')}: ${file}`);
    }
    expect(misplaced).toEqual([]);
  });

  it('the folder map lives in docs/architecture.md only', () => {
    expect(read('README.md')).not.toMatch(/^lib\/ +helpers/m);
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
