import { readFile } from 'node:fs/promises';
import type { Context } from 'hono';

export interface StaticFilesOptions<T extends string> {
  /** The files served, each with its content type; any other name is a 404. */
  types: Record<T, string>;
  /** Where a file is on disk. */
  pathOf: (name: string) => string;
  cacheControl?: string;
}

/**
 * A fixed set of files that ship with the app (a page's script, a stylesheet): each read once,
 * on first request, and kept. `handler` answers `GET …/:file`.
 */
export function staticFiles<T extends string>({ types, pathOf, cacheControl = 'no-cache' }: StaticFilesOptions<T>) {
  const loaded = new Map<string, Promise<Buffer>>();
  const load = (name: string) => {
    if (!loaded.has(name)) loaded.set(name, readFile(pathOf(name)));
    return loaded.get(name)!;
  };
  return {
    load,
    handler: async (c: Context) => {
      const file = c.req.param('file');
      if (!file || !Object.hasOwn(types, file)) return c.notFound();
      return c.body(new Uint8Array(await load(file)), 200, {
        'Content-Type': `${types[file as T]}; charset=utf-8`,
        'Cache-Control': cacheControl,
      });
    },
  };
}
