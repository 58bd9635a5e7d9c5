import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { Context } from 'hono';
import { parseAccept } from 'hono/utils/accept';
import { z } from 'zod';
import { assertNever } from '../lib/assert-never';

/** The compressed codings offered, preferred first: br is 14 % smaller than gzip on mermaid's script. */
const COMPRESSED = ['br', 'gzip'] as const;
type Compressed = (typeof COMPRESSED)[number];
export type Coding = Compressed | 'identity';

/** For a request naming the file's current version: that URL's content can never change. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Without it the browser asks each time, and the ETag makes the answer a 304 with no body. */
const REVALIDATE = 'no-cache';

const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

/** Off the event loop (zlib's thread pool), and once per file and coding. */
function compress(bytes: Uint8Array, coding: Compressed): Promise<Buffer> {
  switch (coding) {
    case 'br':
      // Quality 6, not brotli's default 11: 0.2 s rather than 7 s for mermaid's 3.5 MB, for 13 % more bytes.
      return brotli(bytes, {
        params: { [constants.BROTLI_PARAM_QUALITY]: 6, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
      });
    case 'gzip':
      return gzipped(bytes, { level: 9 });
    default:
      return assertNever(coding);
  }
}

/** The compressed coding an `Accept-Encoding` rates highest (ties go to ours), or identity if it takes none. */
export function preferredCoding(acceptEncoding: string | undefined): Coding {
  const accepted = parseAccept(acceptEncoding ?? '');
  const wildcard = accepted.find((accept) => accept.type === '*')?.q ?? 0;
  const qOf = (coding: Compressed) => accepted.find((accept) => accept.type.toLowerCase() === coding)?.q ?? wildcard;
  const [best] = COMPRESSED.filter((coding) => qOf(coding) > 0).sort((a, b) => qOf(b) - qOf(a));
  return best ?? 'identity';
}

/**
 * A strong ETag names one representation, and each coding of a file is one (RFC 9110, 8.8.3):
 * the version alone for the file as it is, with the coding appended for a compressed copy.
 */
export const etagOf = (version: string, coding: Coding) =>
  coding === 'identity' ? `"${version}"` : `"${version}-${coding}"`;

/** Whether `If-None-Match` names `etag`; it compares weakly (RFC 9110, 13.1.2), so a `W/` prefix is ignored. */
export function namesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch?.trim() === '*') return true;
  return ifNoneMatch?.match(/"[^"]*"/g)?.includes(etag) ?? false;
}

/** `html` with each quoted URL `<prefix><file>` of `versions` given `?v=<its version>`. */
export function withVersions(html: string, prefix: string, versions: Record<string, string>): string {
  return Object.entries(versions).reduce(
    (page, [file, version]) => page.replaceAll(`"${prefix}${file}"`, `"${prefix}${file}?v=${version}"`),
    html,
  );
}

/** The parts of a file's route in the OpenAPI document, the same for every set of static files. */
export const staticFileQuery = z.object({
  v: z.string().optional().meta({
    description:
      'the file’s version (its content’s hash, which begins its ETag): when current, the answer is cached for a year',
  }),
});
const cacheHeaders = z.object({
  ETag: z.string().meta({ description: 'the content’s hash, and the coding if compressed' }),
  'Cache-Control': z.string().meta({ description: `\`${IMMUTABLE}\` when \`v\` is current, else \`${REVALIDATE}\`` }),
  Vary: z.string().meta({ description: '`Accept-Encoding`' }),
});
export const staticFileResponses = {
  200: {
    description: 'the file, compressed (br or gzip, `Content-Encoding`) when `Accept-Encoding` allows',
    headers: cacheHeaders,
    content: { 'text/css': { schema: z.string() }, 'text/javascript': { schema: z.string() } },
  },
  304: { description: 'unchanged: `If-None-Match` names the current ETag', headers: cacheHeaders },
  404: { description: 'no such file' },
};

export interface StaticFile {
  /** The first 16 hex digits of the content's SHA-256. */
  version: string;
  /** The content in a coding, compressed on first asking and kept. */
  in(coding: Coding): Promise<Uint8Array<ArrayBuffer>>;
}

async function readStaticFile(path: string): Promise<StaticFile> {
  const bytes = new Uint8Array(await readFile(path));
  const compressed = new Map<Compressed, Promise<Uint8Array<ArrayBuffer>>>();
  return {
    version: createHash('sha256').update(bytes).digest('hex').slice(0, 16),
    async in(coding) {
      if (coding === 'identity') return bytes;
      if (!compressed.has(coding))
        compressed.set(
          coding,
          compress(bytes, coding).then((out) => new Uint8Array(out)),
        );
      return compressed.get(coding)!;
    },
  };
}

export interface StaticFilesOptions<T extends string> {
  /** The files served, each with its content type; any other name is a 404. */
  types: Record<T, string>;
  /** Where a file is on disk. */
  pathOf: (name: string) => string;
}

/**
 * A fixed set of files that ship with the app (a page's script, a stylesheet): each read and
 * hashed once, on first request, and kept, with each compressed copy once asked for.
 * `handler` answers `GET …/:file[?v=<version>]`.
 */
export function staticFiles<T extends string>({ types, pathOf }: StaticFilesOptions<T>) {
  const loaded = new Map<string, Promise<StaticFile>>();
  const load = (name: string) => {
    if (!loaded.has(name)) loaded.set(name, readStaticFile(pathOf(name)));
    return loaded.get(name)!;
  };
  return {
    load,
    handler: async (c: Context) => {
      const name = c.req.param('file');
      if (!name || !Object.hasOwn(types, name)) return c.notFound();
      const file = await load(name);
      const coding = preferredCoding(c.req.header('Accept-Encoding'));
      const etag = etagOf(file.version, coding);
      const headers = {
        ETag: etag,
        'Cache-Control': c.req.query('v') === file.version ? IMMUTABLE : REVALIDATE,
        Vary: 'Accept-Encoding',
      };
      if (namesEtag(c.req.header('If-None-Match'), etag)) return c.body(null, 304, headers);
      return c.body(await file.in(coding), 200, {
        ...headers,
        'Content-Type': `${types[name as T]}; charset=utf-8`,
        ...(coding !== 'identity' && { 'Content-Encoding': coding }),
      });
    },
  };
}
