import { envelope, type Message } from '../../contracts';
import { consumersOf } from '../../contracts/topology';
import type { Inbound, Outbound, PublishedBy } from '../../contracts/topology';
import { nextDeadline, timeoutOf } from '../decider/deadlines';
import {
  decide,
  definitionOf,
  resendPending,
  type DeadlinePassed,
  type OperatorAction,
  type Outcome,
  type Decision,
  type SagaCommand,
  type SagaInput,
  type SagaPolicy,
  type SagaState,
} from '../decider/decide';
import { isTerminal } from '../decider/state';
import { isOperatorAction } from '../decider/operator';
import type { SagaProgress } from '../../platform/metrics';
import { stepByMessage, type SagaDefinition } from '../../contracts/steps';
import { LeftToOthers } from '../../broker/messaging/left-to-others';
import type { TraceContext } from '../../lib/tracing';
import type { SagaRow, SagaStore, TraceRow } from './store';
import { stateChange } from '../trace/state-change';
import { sagaLogLines, type SagaLogLine } from '../trace/saga-log';

/** An input with what the trace records of it: a broker message, or a deadline the orchestrator raised. */
export type TracedInput = (Inbound<'orchestrator'> | DeadlinePassed | OperatorAction) &
  Pick<Message, 'messageId' | 'causationId' | 'producer' | 'occurredAt'>;

/**
 * Applies one input to its saga inside the caller's transaction: decides, saves the state
 * (optimistically), logs the steps, traces the input and the commands, and returns the
 * commands with their envelopes for the outbox, what the input did for the metrics, and the
 * lines the log says of it (to write once committed).
 * `traceparent`: the span handling a message, which its commands go under; a deadline has none,
 * and its commands go under the saga's first, with the tracestate the saga started with.
 *
 * An input that came before its saga started is kept, and applied right after the
 * OrderRequested that starts the saga, in the same transaction.
 */
export async function runSaga(store: SagaStore, input: TracedInput, policy: SagaPolicy, sender: Sender): Promise<Run> {
  const orderId = input.data.orderId;
  const saved = await store.findSaga(orderId);
  const decision = decide(saved?.state, input, policy);
  if (decision.outcome.kind === 'unknownDefinition') throw new LeftToOthers(decision.outcome.why);
  if (decision.outcome.kind === 'early' && input.type !== 'DeadlinePassed') {
    await store.keepEarly(input as Inbound<'orchestrator'>, policy.now);
    const log = sagaLogLines(input, undefined, decision, [], policy.definitions.at(-1)!, sender.traceparent);
    return { commands: [], progress: [], outcome: decision.outcome, log };
  }
  const run = await record(store, input, saved, decision, policy, sender);
  if (input.type !== 'OrderRequested' || decision.outcome.kind !== 'applied') return run;
  const early: Run[] = [];
  for (const message of await store.takeEarly(orderId)) {
    const started = (await store.findSaga(orderId))!;
    const taken = decide(started.state, message, policy);
    early.push(await record(store, message, started, taken, policy, sender, 'came before its saga started'));
  }
  return {
    commands: [...run.commands, ...early.flatMap((taken) => taken.commands)],
    progress: [...run.progress, ...early.flatMap((taken) => taken.progress)],
    outcome: run.outcome,
    log: [...run.log, ...early.flatMap((taken) => taken.log)],
  };
}

/**
 * Who sends what an input causes: this orchestrator instance (INSTANCE_ID), which the trace
 * records, and the span its commands go under with the tracestate they carry (a message's
 * handling, continuing the message's; none for a deadline, whose commands go under the saga's
 * first span, `savedTraceOf`).
 */
export interface Sender extends TraceContext {
  instance: string;
}

/** The trace context a saga started under, which what it sends on its own continues. */
export const savedTraceOf = ({ traceparent, tracestate }: SagaRow): TraceContext => ({
  traceparent: traceparent ?? undefined,
  tracestate: tracestate ?? undefined,
});

/** What one input did: the commands to send, its progress for the metrics, its outcome, and its log lines. */
interface Run {
  commands: Outbound<'orchestrator'>[];
  progress: SagaProgress[];
  outcome: Outcome;
  log: SagaLogLine[];
}

/** Saves what `decision` made of `input`, traces both, and gives the commands their envelopes. */
async function record(
  store: SagaStore,
  input: TracedInput,
  saved: SagaRow | undefined,
  decision: Decision,
  policy: SagaPolicy,
  { instance, traceparent, tracestate }: Sender,
  note?: string,
): Promise<Run> {
  const orderId = input.data.orderId;
  const applied = decision.outcome.kind === 'applied';
  const sentUnder: TraceContext = traceparent ? { traceparent, tracestate } : saved ? savedTraceOf(saved) : {};
  // An ignored input may still change the state (a stale deadline is dropped): save any change.
  const changed = decision.state !== undefined && decision.state !== saved?.state;
  if (decision.state && changed) {
    await store.saveSaga(decision.state, nextDeadline(decision.state), saved?.version, policy.now, sentUnder);
  }

  const commands = withEnvelopes(orderId, input.messageId, decision.commands, policy.now, { instance, ...sentUnder });
  const at = policy.now.toISOString();
  await store.insertTrace([
    {
      orderId,
      messageId: input.messageId,
      causationId: input.causationId,
      type: input.type,
      producer: input.producer,
      // A deadline or an operator's action is raised here; a message says which instance of its producer sent it.
      instance: input.type === 'DeadlinePassed' || isOperatorAction(input) ? instance : (input.instance ?? null),
      consumer: 'orchestrator',
      direction: 'in',
      outcome: applied ? 'applied' : 'ignored',
      note: decision.outcome.kind !== 'applied' ? decision.outcome.why : (noteOf(input) ?? note ?? null),
      data: JSON.stringify(input.data),
      change: changed ? JSON.stringify(stateChange(saved?.state, decision.state)) : null,
      occurredAt: input.occurredAt,
      recordedAt: at,
    },
    ...commands.map((command) => traceOut(command, null, at)),
  ]);
  return {
    commands,
    progress: [progressOf(saved, decision.state, applied ? input : undefined, policy)],
    outcome: decision.outcome,
    // A saga's state names its table; an input to no saga is read under the table that starts new ones.
    log: sagaLogLines(
      input,
      saved?.state,
      decision,
      commands,
      (decision.state && definitionOf(decision.state, policy)) ?? policy.definitions.at(-1)!,
      sentUnder.traceparent,
    ),
  };
}

/** What the trace says of an input the orchestrator raised: a deadline's step, an operator and their reason. */
function noteOf(input: TracedInput): string | undefined {
  switch (input.type) {
    case 'DeadlinePassed':
      return `${input.data.step} deadline`;
    case 'CancelSaga':
    case 'RetrySaga':
      return `by ${input.data.by}: ${input.data.reason}`;
    case 'ExtendSaga':
      return `by ${input.data.by}, ${input.data.byMs} ms: ${input.data.reason}`;
    default:
      return undefined;
  }
}

/**
 * What an applied input did to its saga: started it, ended it (with the time since it
 * started), answered a step or gave it up at its deadline (with the time since its command,
 * which is the deadline less the step's timeout).
 */
export function progressOf(
  saved: { state: SagaState; startedAt: string } | undefined,
  after: SagaState | undefined,
  input: SagaInput | undefined,
  policy: SagaPolicy,
): SagaProgress {
  const { now } = policy;
  const definition = after && definitionOf(after, policy);
  const seconds = (since: number) => Math.max(0, now.getTime() - since) / 1000;
  const ended =
    after && isTerminal(after) && !(saved && isTerminal(saved.state))
      ? {
          status: after.status,
          reason: after.failure?.reason ?? '',
          seconds: seconds(Date.parse(saved?.startedAt ?? now.toISOString())),
        }
      : undefined;
  const answered =
    definition && input && input.type !== 'DeadlinePassed' ? stepByMessage(definition).get(input.type) : undefined;
  const step =
    input?.type === 'DeadlinePassed'
      ? { step: input.data.step, outcome: 'timed_out' as const }
      : answered && answered.outcome !== 'started'
        ? { step: answered.step, outcome: answered.outcome }
        : undefined;
  const due = step && saved?.state.deadlines[step.step];
  return {
    started: !saved && after !== undefined,
    ...(ended && { ended }),
    steps:
      step && due && definition
        ? [{ ...step, seconds: seconds(Date.parse(due) - timeoutOf(definition, policy, step.step)) }]
        : [],
  };
}

/**
 * After a restart: the commands of every step still awaiting an answer, sent again and traced,
 * under the saga's first span (the sender's `traceparent` and `tracestate`).
 */
export async function resendAfterRestart(
  store: SagaStore,
  definition: SagaDefinition,
  state: SagaState,
  now: Date,
  sender: Sender,
): Promise<Outbound<'orchestrator'>[]> {
  const commands = withEnvelopes(state.orderId, null, resendPending(definition, state), now, sender);
  await store.insertTrace(commands.map((command) => traceOut(command, 'resent after a restart', now.toISOString())));
  return commands;
}

const withEnvelopes = (
  orderId: string,
  causationId: string | null,
  commands: SagaCommand[],
  now: Date,
  { instance, traceparent, tracestate }: Sender,
) =>
  commands.map((command) => ({
    ...envelope<PublishedBy<'orchestrator'>>(command, {
      producer: 'orchestrator',
      instance,
      correlationId: orderId,
      causationId,
      traceparent,
      now,
    }),
    ...(tracestate && { tracestate }),
  }));

function traceOut(command: Message, note: string | null, recordedAt: string): Omit<TraceRow, 'seq'> {
  return {
    orderId: command.correlationId,
    messageId: command.messageId,
    causationId: command.causationId,
    type: command.type,
    producer: 'orchestrator',
    instance: command.instance ?? null,
    consumer: consumersOf(command.type).join(','),
    direction: 'out',
    outcome: 'sent',
    note,
    data: JSON.stringify(command.data),
    change: null,
    occurredAt: command.occurredAt,
    recordedAt,
  };
}
