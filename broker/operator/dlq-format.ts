import type { ServiceName } from '../../contracts';
import type { DeadLetter } from '../broker';

/** How the dlq CLI prints: each function returns the lines to write. */
export interface DeadLetterRenderer {
  list(queue: ServiceName, letters: readonly DeadLetter[], now: Date): string[];
  show(letter: DeadLetter, now: Date): string[];
  replayed(letters: readonly DeadLetter[]): string[];
  purged(queue: ServiceName, count: number): string[];
}

const ageMs = (letter: DeadLetter, now: Date) => now.getTime() - Date.parse(letter.deadLetteredAt);

/** `42s`, `5m`, `3h`, `2d`: the largest unit that keeps a whole number. */
export function formatAge(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  // The last column (the reason) is left unpadded, so lines carry no trailing blanks.
  return rows.map((row) =>
    row.map((cell, column) => (column < row.length - 1 ? cell.padEnd(widths[column]!) : cell)).join('  '),
  );
}

/** The payload as indented JSON when it is JSON, as it is otherwise. */
function prettyPayload(payload: string): string {
  try {
    return JSON.stringify(JSON.parse(payload), null, 2);
  } catch {
    return payload;
  }
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

export const textRenderer: DeadLetterRenderer = {
  list(queue, letters, now) {
    if (letters.length === 0) return [`${queue}: no dead letters`];
    const header = ['ID', 'AGE', 'TYPE', 'ATTEMPTS', 'REASON'];
    const rows = letters.map((letter) => [
      letter.id,
      formatAge(ageMs(letter, now)),
      letter.routingKey,
      String(letter.attempts),
      // One line per letter, whatever the handler's error said.
      letter.reason.replace(/\s+/g, ' '),
    ]);
    return [
      `${queue}: ${plural(letters.length, 'dead letter')}`,
      ...table([header, ...rows]).map((line) => `  ${line}`),
    ];
  },
  show(letter, now) {
    return [
      ...table([
        ['id', letter.id],
        ['queue', letter.queue],
        ['type', letter.routingKey],
        ['attempts', String(letter.attempts)],
        ['reason', letter.reason],
        ['dead since', `${letter.deadLetteredAt} (${formatAge(ageMs(letter, now))} ago)`],
      ]),
      'payload',
      prettyPayload(letter.payload),
    ];
  },
  replayed(letters) {
    if (letters.length === 0) return ['no dead letters to replay'];
    return letters.map((letter) => `replayed ${letter.id} (${letter.routingKey}) to ${letter.queue}`);
  },
  purged(queue, count) {
    return [`${queue}: purged ${plural(count, 'dead letter')}`];
  },
};

/** One JSON object per line, as `npm run trace -- --json` prints. */
export const jsonRenderer: DeadLetterRenderer = {
  list: (_queue, letters, now) => letters.map((letter) => JSON.stringify({ ...letter, ageMs: ageMs(letter, now) })),
  show: (letter, now) => [JSON.stringify({ ...letter, ageMs: ageMs(letter, now) })],
  replayed: (letters) => letters.map((letter) => JSON.stringify({ replayed: letter })),
  purged: (queue, count) => [JSON.stringify({ queue, purged: count })],
};
