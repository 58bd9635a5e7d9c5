import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/**
 * The thread's whole program, plain CommonJS so that it runs as it is under tsx, vitest or
 * compiled JavaScript alike. It keeps a connection per file and runs a PASSIVE checkpoint on
 * each every `everyMs`: one that never waits for a lock and never blocks a writer.
 */
const CHECKPOINTER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const open = new Map();
parentPort.on('message', ({ add, remove }) => {
  if (add && !open.has(add)) open.set(add, new Database(add, { fileMustExist: true }));
  if (remove) {
    open.get(remove)?.close();
    open.delete(remove);
  }
});
setInterval(() => {
  for (const db of open.values()) {
    try {
      db.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // A file being closed or removed meanwhile: its remove message is on its way.
    }
  }
}, workerData.everyMs);
`;

let worker: Worker | undefined;
let files = 0;

/**
 * Moves the WAL checkpoints of `client`'s file to a thread of their own. SQLite otherwise
 * checkpoints inside the commit that takes the WAL past 1 000 pages: on the event loop, every
 * few hundred commits one copied pages back and synced the file for milliseconds. Returns what
 * to call before closing the connection.
 */
export function checkpointOffThread(client: Database.Database, everyMs = 1000): () => void {
  if (client.memory) return () => {};
  client.pragma('wal_autocheckpoint = 0');
  if (!worker) {
    worker = new Worker(CHECKPOINTER, {
      eval: true,
      workerData: { driver: createRequire(import.meta.url).resolve('better-sqlite3'), everyMs },
    });
    // Checkpoints are an optimisation: they must never keep a process alive.
    worker.unref();
  }
  const file = client.name;
  files++;
  worker.postMessage({ add: file });
  let released = false;
  return () => {
    if (released) return;
    released = true;
    worker?.postMessage({ remove: file });
    if (--files === 0) {
      void worker?.terminate();
      worker = undefined;
    }
  };
}
