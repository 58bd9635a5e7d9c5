import { stepOf, type StepName, type StepOutcome } from '../../contracts/steps';
import type { MessageType } from '../../contracts/messages';
import type { TraceRow } from '../runtime/sqlite/schema';

/** One line of a saga's step log: a step started, succeeded or failed, by which message, when. */
export interface StepEntry {
  step: StepName;
  outcome: StepOutcome;
  messageId: string;
  at: string;
}

/**
 * The step log, read off the saga's trace rather than written beside it (which cost a saga
 * about eight more rows): every command the saga sent starts its step, every reply it applied
 * ends one. A command without a cause was sent again after a restart and repeats a start
 * already logged; a reply it ignored changed nothing.
 */
export function stepLog(trace: readonly TraceRow[]): StepEntry[] {
  return trace.flatMap((row) => {
    const counts = row.direction === 'out' ? row.causationId !== null : row.outcome === 'applied';
    const step = counts ? stepOf(row.type as MessageType) : undefined;
    return step ? [{ ...step, messageId: row.messageId, at: row.recordedAt }] : [];
  });
}
