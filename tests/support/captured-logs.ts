import { Writable } from 'node:stream';
import type pino from 'pino';
import { createLogger } from '../../lib/logger';

/** A log line as the process writes it: pino's JSON, parsed. */
export type LogLine = { msg: string; [field: string]: unknown };

/** A logger from `level` up whose lines, with the process's redaction, are kept in `lines` as written. */
export function captureLogs(level: pino.LevelWithSilent) {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger(sink, level), lines, parsed: () => lines.map((line) => JSON.parse(line) as LogLine) };
}
