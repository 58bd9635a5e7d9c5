import { describe, expect, it } from 'vitest';
import { placeOf, summarise } from './profile';

const root = new URL('../..', import.meta.url).pathname;

describe('placeOf', () => {
  it('names the npm package, scoped or not', () => {
    expect(placeOf({ functionName: 'f', url: `file://${root}node_modules/drizzle-orm/sql/sql.js` })).toBe(
      'drizzle-orm',
    );
    expect(placeOf({ functionName: 'f', url: `file://${root}node_modules/@hono/node-server/dist/index.mjs` })).toBe(
      '@hono/node-server',
    );
  });

  it("names node's internals, the project's files and V8's pseudo-frames", () => {
    expect(placeOf({ functionName: 'emit', url: 'node:events' })).toBe('node');
    expect(placeOf({ functionName: 'decide', url: `file://${root}saga/order-saga.ts` })).toBe('saga/order-saga.ts');
    expect(placeOf({ functionName: '(garbage collector)', url: '' })).toBe('(garbage collector)');
    expect(placeOf({ functionName: 'run', url: '' })).toBe('(native) run');
  });
});

describe('summarise', () => {
  it('shares busy time by place, idle left out, largest first', () => {
    const frame = (functionName: string, url: string) => ({ functionName, url });
    const shares = summarise({
      nodes: [
        { id: 1, callFrame: frame('(idle)', '') },
        { id: 2, callFrame: frame('prepare', `file://${root}node_modules/better-sqlite3/lib/x.js`) },
        { id: 3, callFrame: frame('decide', `file://${root}saga/order-saga.ts`) },
        { id: 4, callFrame: frame('step', `file://${root}node_modules/better-sqlite3/lib/y.js`) },
      ],
      samples: [1, 2, 3, 4, 1],
      timeDeltas: [500, 30, 20, 30, 500],
    });
    expect(shares).toEqual([
      { where: 'better-sqlite3', share: 0.75 },
      { where: 'saga/order-saga.ts', share: 0.25 },
    ]);
  });
});
