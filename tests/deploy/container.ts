import { entries } from '../../scripts/build-entries';
import type { ComposeService } from './compose';
import type { Image } from './dockerfile';

/** What a container of a compose service runs, and with what environment, built from the image. */
export interface Container {
  argv: string[];
  env: Record<string, string>;
}

/**
 * As Docker starts it: compose's `entrypoint` replaces the image's and then drops the image's CMD;
 * the arguments of `docker compose run <service> <args>`, else compose's `command`, else CMD follow
 * it. The node image's own entrypoint (docker-entrypoint.sh) execs a command it is given as is,
 * so it is left out. Compose's environment goes over the image's ENV.
 */
export function containerOf(service: ComposeService, image: Image, runArgs: string[] = []): Container {
  const entrypoint = service.entrypoint ?? [];
  const command = runArgs.length > 0 ? runArgs : (service.command ?? (service.entrypoint ? [] : image.cmd));
  return { argv: [...entrypoint, ...command], env: { ...image.env, ...service.environment } };
}

export type Entry = keyof typeof entries;

/** A `sh -c` line's first command, as words (compose's lines quote none), or the argv itself. */
const firstCommand = (argv: string[]) =>
  argv[0] === 'sh' && argv[1] === '-c' ? argv[2]!.split(/\s*(?:&&|\|\||;)\s*/)[0]!.split(/\s+/) : argv;

/**
 * The bundle of `npm run build` a container runs (`node dist/<entry>.js …`, alone or first in a
 * `sh -c` line), its source and its arguments; undefined when it runs none of them.
 */
export function entryOf(argv: string[]): { entry: Entry; source: string; args: string[] } | undefined {
  const [program, script = '', ...args] = firstCommand(argv);
  const entry = /^(?:\.\/)?dist\/([\w-]+)\.js$/.exec(script)?.[1];
  if (program !== 'node' || entry === undefined) return undefined;
  if (!(entry in entries)) throw new Error(`${argv.join(' ')}: npm run build makes no dist/${entry}.js`);
  return { entry: entry as Entry, source: entries[entry as Entry], args };
}
