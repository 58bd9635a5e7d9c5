import { readFileSync } from 'node:fs';

export type Env = Record<string, string | undefined>;

/** What a secret file holds; throws when it cannot be read. */
export type ReadFile = (path: string) => string;

const readUtf8: ReadFile = (path) => readFileSync(path, 'utf8');

// An empty variable counts as unset, as in a .env file or `VAR= npm start`.
const isSet = (value: string | undefined) => value !== undefined && value !== '';

/**
 * `env` with each of `names` that comes as `<NAME>_FILE` read from that file, as Docker and
 * Kubernetes hand secrets over: the file's content, less one trailing newline, is the value.
 * Both forms at once, an unreadable file and an empty one are problems, each naming the variable
 * (and the path, never the content); a caller refuses to go on while there is one.
 */
export function resolveSecretFiles(
  env: Env,
  names: readonly string[],
  readFile: ReadFile = readUtf8,
): { env: Env; problems: string[] } {
  const resolved: Env = { ...env };
  const problems: string[] = [];
  for (const name of names) {
    const fileVariable = `${name}_FILE`;
    const path = env[fileVariable];
    if (!isSet(path)) continue;
    if (isSet(env[name])) {
      problems.push(`set ${name} or ${fileVariable}, not both`);
      continue;
    }
    let content: string;
    try {
      content = readFile(path!);
    } catch (error) {
      // The code alone (ENOENT, EACCES, EISDIR): the path is named here already.
      problems.push(`${fileVariable}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
      continue;
    }
    const value = content.replace(/\r?\n$/, '');
    if (value === '') problems.push(`${fileVariable}: ${path} is empty`);
    else resolved[name] = value;
  }
  return { env: resolved, problems };
}

/** `resolveSecretFiles` for a command that stops at the first error: its problems, thrown as one. */
export function withSecretFiles(env: Env, names: readonly string[], readFile?: ReadFile): Env {
  const resolved = resolveSecretFiles(env, names, readFile);
  if (resolved.problems.length > 0) throw new Error(resolved.problems.join('; '));
  return resolved.env;
}
