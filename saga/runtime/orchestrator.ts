import { defineService } from '../../platform/service';
import { DeadlineTimer } from './deadline-timer';
import { definitionOf, isTerminal, type OperatorAction, type SagaPolicy } from '../decider/decide';
import { definitionProblems } from '../decider/definition-problems';
import { sagaRoutes, type Acted } from './routes';
import { resendAfterRestart, runSaga, type TracedInput } from './runner';
import { sagaPostgres } from './postgres/store';
import { sagaSqlite } from './sqlite/store';
import { orderSagaDefinitions, type SagaDefinition } from '../../contracts/steps';
import { LeftToOthers } from '../../broker/messaging/left-to-others';
import { keyedId, newId } from '../../lib/ids';
import type { SagaProgress } from '../../platform/metrics';

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
      metrics.sagasInFlight(() => database.read((store) => store.countUnfinished()));

      return {
        routes: sagaRoutes(database, tokens, { act, maxExtendMs: config.maxExtendMs }),
        async start() {
          // Overdue deadlines first: a step that timed out while we were down is not asked again.
          await fireDeadlines(new Date());
          await resumeUnfinished();
          await endpoint.listenRaw(
            async (store, message, { now, traceparent }) => {
              const { commands, progress } = await runSaga(store, message, policyAt(now), { instance, traceparent });
              await endpoint.send(store, commands);
              return progress;
            },
            (progress) => progress.forEach(metrics.saga),
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
        await database.transaction(async (store) => {
          for (const saga of await store.unfinishedSagas()) {
            const definition = definitionOf(saga.state, { definitions });
            if (!definition) {
              logger.warn(
                { orderId: saga.orderId, definition: saga.state.definition },
                'saga of an unknown step table left to another instance',
              );
              continue;
            }
            await endpoint.send(
              store,
              await resendAfterRestart(store, definition, saga.state, now, {
                instance,
                traceparent: saga.traceparent ?? undefined,
              }),
            );
          }
        });
      }

      /**
       * Applies an operator's action to its saga, as any input: in the saga's transaction, traced,
       * its commands through the outbox. A saga that has ended, or does not exist, takes none.
       */
      async function act(action: OperatorAction, key?: string): Promise<Acted> {
        const now = new Date();
        const input = operatorInput(action, now, key);
        const acted = await database.transaction(async (store): Promise<Acted & { progress?: SagaProgress[] }> => {
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
          const run = await runSaga(store, input, policyAt(now), {
            instance,
            traceparent: saga.traceparent ?? undefined,
          });
          await endpoint.send(store, run.commands);
          const after = (await store.findSaga(action.data.orderId))!;
          return {
            kind: 'done',
            status: after.status,
            sent: run.commands.map((command) => command.type),
            ...(run.outcome.kind === 'ignored' && { ignored: run.outcome.why }),
            progress: run.progress,
          };
        });
        acted.progress?.forEach(metrics.saga);
        if (acted.kind === 'done' && !acted.replayed) metrics.operatorAction(action.type);
        const { progress: _progress, ...result } = acted;
        return result;
      }

      /** Fires every due deadline; false when some were left to another instance. */
      async function fireDeadlines(now: Date): Promise<boolean> {
        let firedAll = true;
        for (const due of await database.read((store) => store.dueSagas(now, 100))) {
          const progress = await database
            .transaction(async (store) => {
              // Another instance may have fired them since they were read: what is due is read again, held.
              await store.lockConversation(due.orderId);
              const saga = await store.findSaga(due.orderId);
              const done: SagaProgress[] = [];
              for (const [step, at] of Object.entries(saga?.state.deadlines ?? {})) {
                if (!at || at > now.toISOString()) continue;
                const run = await runSaga(store, deadlinePassed(due.orderId, step, now), policyAt(now), { instance });
                await endpoint.send(store, run.commands);
                done.push(...run.progress);
              }
              return done;
            })
            .catch((error: unknown) => {
              if (!(error instanceof LeftToOthers)) throw error;
              logger.warn({ orderId: due.orderId, reason: error.message }, 'saga deadline left to another instance');
              firedAll = false;
              return [];
            });
          progress.forEach(metrics.saga);
        }
        return firedAll;
      }
    },
  });
};

export const createOrchestrator = orchestratorOf();

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
