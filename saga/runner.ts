import { envelope, type Message } from '../contracts';
import type { Inbound } from '../broker/topology';
import { consumersOf } from '../broker/topology';
import type { SqliteDb } from '../db/sqlite';
import { decide } from './order-saga';
import { stepOf } from './steps';
import { findSaga, insertSteps, insertTrace, saveSaga } from './store';

/**
 * Applies one message to its saga inside the caller's transaction: decides, saves the state
 * (optimistically), logs the steps, traces the message and the commands, and returns the
 * commands with their envelopes for the outbox.
 */
export function runSaga(tx: SqliteDb, message: Inbound<'orchestrator'>, now: Date): Message[] {
  const orderId = message.data.orderId;
  const saved = findSaga(tx, orderId);
  const decision = decide(saved?.state, message);
  const applied = decision.outcome.kind === 'applied';
  const commands = decision.commands.map((command) =>
    envelope(command, { producer: 'orchestrator', correlationId: orderId, causationId: message.messageId, now }),
  );
  if (applied && decision.state) saveSaga(tx, decision.state, saved?.version, now);

  const at = now.toISOString();
  insertSteps(
    tx,
    (applied ? [message, ...commands] : commands).flatMap((m) => {
      const step = stepOf[m.type];
      return step ? [{ orderId, ...step, messageId: m.messageId, at }] : [];
    }),
  );
  insertTrace(tx, [
    {
      orderId,
      messageId: message.messageId,
      causationId: message.causationId,
      type: message.type,
      producer: message.producer,
      consumer: 'orchestrator',
      direction: 'in',
      outcome: applied ? 'applied' : 'ignored',
      note: decision.outcome.kind === 'ignored' ? decision.outcome.why : null,
      occurredAt: message.occurredAt,
      recordedAt: at,
    },
    ...commands.map((command) => ({
      orderId,
      messageId: command.messageId,
      causationId: command.causationId,
      type: command.type,
      producer: 'orchestrator',
      consumer: consumersOf(command.type).join(','),
      direction: 'out' as const,
      outcome: 'sent' as const,
      note: null,
      occurredAt: command.occurredAt,
      recordedAt: at,
    })),
  ]);
  return commands;
}
