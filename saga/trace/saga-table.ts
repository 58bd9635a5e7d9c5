import type { SagaView } from '../runtime/store';

/** What a listing shows of a saga: a SagaView, from the store or GET /sagas, has all of it. */
export interface SagaListed extends Pick<SagaView, 'orderId' | 'status' | 'startedAt' | 'updatedAt'> {
  state: { failure?: { reason: string } };
}

const reasonOf = (saga: SagaListed) => saga.state.failure?.reason ?? null;

/** Sagas as a table, one line each, with a note after (why one looks stuck). */
export function sagaTable(rows: SagaListed[], note: (row: SagaListed) => string | undefined = () => undefined) {
  if (rows.length === 0) return ['no sagas'];
  const reasons = rows.map((row) => reasonOf(row) ?? '–');
  const width = Math.max('REASON'.length, ...reasons.map((reason) => reason.length));
  const line = (...cells: string[]) => cells.join('  ').trimEnd();
  return [
    line('ORDER ID'.padEnd(36), 'STATUS'.padEnd(12), 'STARTED'.padEnd(24), 'UPDATED'.padEnd(24), 'REASON'),
    ...rows.map((row, i) =>
      line(
        row.orderId,
        row.status.padEnd(12),
        row.startedAt,
        row.updatedAt,
        reasons[i]!.padEnd(width),
        note(row) ?? '',
      ),
    ),
  ];
}

/** A saga as one JSON line; `extra` (why it looks stuck) beside its fields. */
export const sagaJson = (saga: SagaListed, extra: object = {}) =>
  JSON.stringify({
    orderId: saga.orderId,
    status: saga.status,
    reason: reasonOf(saga),
    startedAt: saga.startedAt,
    updatedAt: saga.updatedAt,
    ...extra,
  });
