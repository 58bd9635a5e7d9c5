import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The `docker compose …` commands the README and the pages of docs/ tell a reader to type. */

const root = join(import.meta.dirname, '..', '..');

export type ComposeCommand =
  | { kind: 'up'; services: string[] }
  | { kind: 'run'; service: string; args: string[] }
  | { kind: 'exec'; service: string; args: string[] };

export interface DocumentedCommand {
  page: string;
  /** As the page shows it. */
  text: string;
  command: ComposeCommand;
}

/** The options each subcommand may be shown with: flags that take no value, so the words after them stay in place. */
const flags: Record<ComposeCommand['kind'], string[]> = {
  up: ['-d', '--detach', '--build', '--wait'],
  run: ['--rm', '-d', '--detach', '--no-deps', '--build', '-T'],
  exec: ['-T', '-d', '--detach'],
};

/** The words after `docker compose`, understood; what is not understood is an error rather than left unchecked. */
export function parseComposeCommand(words: string[]): ComposeCommand {
  const [subcommand = '', ...rest] = words;
  if (!(subcommand in flags))
    throw new Error(`docker compose ${subcommand || '(no subcommand)'}: no check knows this subcommand`);
  const kind = subcommand as ComposeCommand['kind'];
  const firstOperand = rest.findIndex((word) => !word.startsWith('-'));
  const options = firstOperand === -1 ? rest : rest.slice(0, firstOperand);
  const operands = firstOperand === -1 ? [] : rest.slice(firstOperand);
  const unknown = options.filter((option) => !flags[kind].includes(option));
  if (unknown.length > 0) throw new Error(`docker compose ${kind} ${unknown.join(' ')}: an option no check knows`);
  if (kind === 'up') return { kind, services: operands };
  const [service, ...args] = operands;
  if (service === undefined) throw new Error(`docker compose ${kind}: names no service`);
  return { kind, service, args };
}

/** A page's code: each line of its fenced blocks, and each inline code span of its prose. */
function codeOf(text: string): string[] {
  const fenced = [...text.matchAll(/^```[^\n]*\n([\s\S]*?)^```$/gm)].flatMap((block) => block[1]!.split('\n'));
  const prose = text.replace(/^```[\s\S]*?^```$/gm, '');
  const inline = [...prose.matchAll(/`([^`\n]+)`/g)].map((span) => span[1]!);
  return [...fenced, ...inline];
}

/** Every `docker compose …` command of the README and of docs/*.md, each up to a shell comment or operator. */
export function documentedComposeCommands(): DocumentedCommand[] {
  const pages = [
    'README.md',
    ...readdirSync(join(root, 'docs'))
      .filter((file) => file.endsWith('.md'))
      .map((file) => `docs/${file}`),
  ];
  return pages.flatMap((page) =>
    codeOf(readFileSync(join(root, page), 'utf8')).flatMap((code) =>
      [...code.matchAll(/\bdocker compose((?: +[^\s#;&|]+)*)/g)].map((match) => ({
        page,
        text: match[0].trim(),
        command: parseComposeCommand(match[1]!.trim().split(/ +/).filter(Boolean)),
      })),
    ),
  );
}
