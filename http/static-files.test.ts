import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { etagOf, namesEtag, preferredCoding, staticFiles, withVersions } from './static-files';

describe('preferredCoding', () => {
  it('takes br or gzip as the client rates them, ours (br) on a tie, and nothing it refuses', () => {
    expect(preferredCoding('gzip, deflate, br, zstd')).toBe('br');
    expect(preferredCoding('gzip')).toBe('gzip');
    expect(preferredCoding('GZIP')).toBe('gzip');
    expect(preferredCoding('br;q=0.5, gzip')).toBe('gzip');
    expect(preferredCoding('gzip;q=0.2, br;q=0.8')).toBe('br');
    expect(preferredCoding('br;q=0, gzip')).toBe('gzip');
    expect(preferredCoding('*')).toBe('br');
    expect(preferredCoding('*, br;q=0')).toBe('gzip');
  });

  it('sends the file as it is when the client takes neither', () => {
    expect(preferredCoding(undefined)).toBe('identity');
    expect(preferredCoding('')).toBe('identity');
    expect(preferredCoding('identity')).toBe('identity');
    expect(preferredCoding('deflate, zstd')).toBe('identity');
    expect(preferredCoding('gzip;q=0, br;q=0')).toBe('identity');
  });
});

describe('ETags', () => {
  it('names each coding of a version apart', () => {
    expect(etagOf('abc', 'identity')).toBe('"abc"');
    expect(etagOf('abc', 'gzip')).toBe('"abc-gzip"');
    expect(etagOf('abc', 'br')).toBe('"abc-br"');
  });

  it('are matched in a list, weakly, or by *', () => {
    expect(namesEtag('"abc"', '"abc"')).toBe(true);
    expect(namesEtag('"x", W/"abc" ,"y"', '"abc"')).toBe(true);
    expect(namesEtag(' * ', '"abc"')).toBe(true);
    expect(namesEtag('"abc-gzip"', '"abc"')).toBe(false);
    expect(namesEtag('"ab"', '"abc"')).toBe(false);
    expect(namesEtag('abc', '"abc"')).toBe(false);
    expect(namesEtag(undefined, '"abc"')).toBe(false);
  });
});

describe('withVersions', () => {
  it('gives each quoted URL of a known file its version, and leaves the rest', () => {
    const html = '<link href="/ui/app.css"><script src="/ui/app.js"></script><a href="/ui/app.json">/ui/app.js</a>';
    expect(withVersions(html, '/ui/', { 'app.css': 'c1', 'app.js': 'j1' })).toBe(
      '<link href="/ui/app.css?v=c1"><script src="/ui/app.js?v=j1"></script><a href="/ui/app.json">/ui/app.js</a>',
    );
  });
});

describe('a static file, read from disk', () => {
  let dir: string;
  const text = 'console.log("hello");\n'.repeat(200);
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'static-files-'));
    await writeFile(join(dir, 'app.js'), text);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('is versioned by its content’s hash and compressed once per coding', async () => {
    const files = staticFiles({ types: { 'app.js': 'text/javascript' }, pathOf: (name) => join(dir, name) });
    const file = await files.load('app.js');
    expect(file.version).toBe(createHash('sha256').update(text).digest('hex').slice(0, 16));
    expect(Buffer.from(await file.in('identity')).toString()).toBe(text);
    const gzipped = await file.in('gzip');
    expect(gunzipSync(gzipped).toString()).toBe(text);
    expect(gzipped.length).toBeLessThan(text.length / 10);
    expect(brotliDecompressSync(await file.in('br')).toString()).toBe(text);
    expect(await file.in('gzip')).toBe(gzipped);
    expect(await files.load('app.js')).toBe(file);
  });
});
