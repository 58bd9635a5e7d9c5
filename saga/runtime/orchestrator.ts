import { defineService } from '../../platform/service';
import { DeadlineTimer } from './deadline-timer';
import { definitionOf, isTerminal, type OperatorAction, type SagaPolicy } from '../decider/decide';
import { definitionProblems } from '../decider/definition-problems';
import { sagaRoutes, type Acted } from './routes';
import { resendAfterRestart, runSaga, savedTraceOf, type TracedInput } from './runner';
import { sagaPostgres } from './postgres/store';
import { sagaSqlite } from './sqlite/store';
import { orderSagaDefinitions, type SagaDefinition } from '../../contracts/steps';
import { LeftToOthers } from '../../broker/messaging/left-to-others';
import { storyLogger } from '../../broker/messaging/handled-log';
import { keyedId, newId } from '../../lib/ids';
import type { SagaProgress } from '../../platform/metrics';
import { sentLines, type SagaLogLine } from '../trace/saga-log';

/**
 * The orchestrator, running the step tables it is given (oldest first; the last starts new
 * sagas): this release's by default, another set in the tests of a table change.
 */
export const orchestratorOf = (definitions: readonly SagaDefinition[] = orderSagaDefinitions) => {
  const problems = definitionProblems(definitions);
  if (problems.length > 0) throw new Error(`the saga's step tables do not hold: ${problems.join('; ')}`);
  return defineService({
    name: 'orchestrator',
    sqlite: sagaSqlite,
    postgres: sagaPostgres,
    setUp: ({ database, tokens, config, endpoint, logger, metrics }) => {
      const instance = config.instanceId;
      const policyAt = (now: Date): SagaPolicy => ({
        now,
        timeoutMs: (step) => config.stepTimeoutsMs[step],
        definitions,
      });
      const timer = new DeadlineTimer(
        (now) => fireDeadlines(now),
        () => database.read((store) => store.earliestDeadline()),
        (error) => logger.error({ err: error }, 'firing saga deadlines failed; retrying'),
      );

      const traceCutoff = (now: Date) => new Date(now.getTime() - config.retention.traceMs);
      const story = storyLogger(logger);
      // Written after the commit, as the metrics: a rolled-back attempt did nothing.
      const logSteps = (lines: readonly SagaLogLine[]) => {
        for (const line of lines) story.info(line, 'saga step');
      };
      metrics.sagasInFlight(() => database.read((store) => store.countUnfinished()));
      metrics.oldestPendingSaga(() => database.read((store) => store.oldestUnfinishedStart()));

      return {
        routes: sagaRoutes(database, tokens, { act, maxExtendMs: config.maxExtendMs }),
        async start() {
          // Overdue deadlines first: a step that timed out while we were down is not asked again.
          await fireDeadlines(new Date());
          await resumeUnfinished();
          await endpoint.listenRaw(
            async (store, message, { now, traceparent }) => {
              const sender = { instance, traceparent, tracestate: message.tracestate };
              const run = await runSaga(store, message, policyAt(now), sender);
              await endpoint.send(store, run.commands);
              return run;
            },
            ({ progress, log }) => {
              progress.forEach(metrics.saga);
              logSteps(log);
            },
          );
          timer.start();
        },
        stop: () => timer.stop(),
        prunes: {
          trace: (now, limit) =>
            database.transaction((store) => store.forgetTracesEndedBefore(traceCutoff(now), limit)),
        },
      };

      /**
       * A restart may have lost commands or answers in flight: ask again for what is still
       * awaited. A saga of a table this release does not know is resumed by a release that does.
       */
      async function resumeUnfinished() {
        const now = new Date();
        const resent = await database.transaction(async (store) => {
          const log: SagaLogLine[] = [];
          for (const saga of await store.unfinishedSagas()) {
            const definition = definitionOf(saga.state, { definitions });
            if (!definition) {
              logger.warn(
                { orderId: saga.orderId, definition: saga.state.definition },
                'saga of an unknown step table left to another instance',
              );
              continue;
            }
            const trace = savedTraceOf(saga);
            const commands = await resendAfterRestart(store, definition, saga.state, now, { instance, ...trace });
            await endpoint.send(store, commands);
            log.push(...sentLines(commands, definition, trace.traceparent, 'resent after a restart'));
          }
          return log;
        });
        logSteps(resent);
      }

      /**
       * Applies an operator's action to its saga, as any input: in the saga's transaction, traced,
       * its commands through the outbox. A saga that has ended, or does not exist, takes none.
       */
      async function act(action: OperatorAction, key?: string): Promise<Acted> {
        const now = new Date();
        const input = operatorInput(action, now, key);
        const acted = await database.transaction(async (store): Promise<Acted & Partial<Done>> => {
          await store.lockConversation(action.data.orderId);
          const saga = await store.findSaga(action.data.orderId);
          if (!saga) return { kind: 'unknown' };
          if (isTerminal(saga.state)) return { kind: 'ended', status: saga.status };
          // A keyed action is a message like any other: the inbox remembers its id, so a repeat does nothing.
          if (
            key !== undefined &&
            !(await store.recordFirstDelivery({ ...input, correlationId: action.data.orderId }, now))
          )
            return { kind: 'done', status: saga.status, sent: [], replayed: true };
          const run = await runSaga(store, input, policyAt(now), { instance, ...savedTraceOf(saga) });
          await endpoint.send(store, run.commands);
          const after = (await store.findSaga(action.data.orderId))!;
          return {
            kind: 'done',
            status: after.status,
            sent: run.commands.map((command) => command.type),
            ...(run.outcome.kind === 'ignored' && { ignored: run.outcome.why }),
            progress: run.progress,
            log: run.log,
          };
        });
        acted.progress?.forEach(metrics.saga);
        logSteps(acted.log ?? []);
        if (acted.kind === 'done' && !acted.replayed) metrics.operatorAction(action.type);
        const { progress: _progress, log: _log, ...result } = acted;
        return result;
      }

      /** Fires every due deadline; false when some were left to another instance. */
      async function fireDeadlines(now: Date): Promise<boolean> {
        let firedAll = true;
        for (const due of await database.read((store) => store.dueSagas(now, 100))) {
          const fired = await database
            .transaction(async (store) => {
              // Another instance may have fired them since they were read: what is due is read again, held.
              await store.lockConversation(due.orderId);
              const saga = await store.findSaga(due.orderId);
              const done: Done = { progress: [], log: [] };
              for (const [step, at] of Object.entries(saga?.state.deadlines ?? {})) {
                if (!at || at > now.toISOString()) continue;
                const run = await runSaga(store, deadlinePassed(due.orderId, step, now), policyAt(now), { instance });
                await endpoint.send(store, run.commands);
                done.progress.push(...run.progress);
                done.log.push(...run.log);
              }
              return done;
            })
            .catch((error: unknown) => {
              if (!(error instanceof LeftToOthers)) throw error;
              logger.warn({ orderId: due.orderId, reason: error.message }, 'saga deadline left to another instance');
              firedAll = false;
              return { progress: [], log: [] };
            });
          fired.progress.forEach(metrics.saga);
          logSteps(fired.log);
        }
        return firedAll;
      }
    },
  });
};

export const createOrchestrator = orchestratorOf();

/** What applied inputs did, for the metrics and the log once their transaction has committed. */
interface Done {
  progress: SagaProgress[];
  log: SagaLogLine[];
}

/** `key`: the caller's idempotency key, from which the input's id derives, per saga and action. */
const operatorInput = (action: OperatorAction, now: Date, key?: string): TracedInput => ({
  ...action,
  messageId: key === undefined ? newId() : keyedId(action.type, action.data.orderId, key),
  causationId: null,
  producer: 'orchestrator',
  occurredAt: now.toISOString(),
});

const deadlinePassed = (orderId: string, step: string, now: Date): TracedInput => ({
  type: 'DeadlinePassed',
  data: { orderId, step },
  messageId: newId(),
  causationId: null,
  producer: 'orchestrator',
  occurredAt: now.toISOString(),
});
