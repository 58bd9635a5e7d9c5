import { defineService } from '../platform/service';
import { DeadlineTimer } from './deadline-timer';
import type { SagaPolicy } from './order-saga';
import { sagaRoutes } from './routes';
import { resendAfterRestart, runSaga, type TracedInput } from './runner';
import * as schema from './sqlite/schema';
import type { StepName } from '../contracts/steps';
import { countUnfinished, dueSagas, earliestDeadline, forgetTracesEndedBefore, unfinishedSagas } from './store';
import { newId } from '../lib/ids';

export const createOrchestrator = defineService({
  name: 'orchestrator',
  schema,
  migrations: new URL('./sqlite/migrations', import.meta.url),
  setUp: ({ db, tokens, config, endpoint, logger, metrics }) => {
    const policyAt = (now: Date): SagaPolicy => ({ now, timeoutMs: (step) => config.stepTimeoutsMs[step] });
    const timer = new DeadlineTimer(
      (now) => fireDeadlines(now),
      () => earliestDeadline(db),
      (error) => logger.error({ err: error }, 'firing saga deadlines failed; retrying'),
    );

    const traceCutoff = (now: Date) => new Date(now.getTime() - config.retention.traceMs);
    metrics.sagasInFlight(() => countUnfinished(db));

    return {
      routes: sagaRoutes(db, tokens),
      async start() {
        // Overdue deadlines first: a step that timed out while we were down is not asked again.
        fireDeadlines(new Date());
        resumeUnfinished();
        await endpoint.listenRaw(
          (tx, message, { now, traceparent }) => {
            const { commands, progress } = runSaga(tx, message, policyAt(now), traceparent);
            endpoint.send(tx, commands);
            return progress;
          },
          (progress) => progress.forEach(metrics.saga),
        );
        timer.start();
      },
      stop: () => timer.stop(),
      prunes: {
        trace: (now, limit) => forgetTracesEndedBefore(db, traceCutoff(now), limit),
      },
    };

    /** A restart may have lost commands or answers in flight: ask again for what is still awaited. */
    function resumeUnfinished() {
      const now = new Date();
      db.transaction(
        (tx) => {
          for (const saga of unfinishedSagas(tx))
            endpoint.send(tx, resendAfterRestart(tx, saga.state, now, saga.traceparent ?? undefined));
        },
        { behavior: 'immediate' },
      );
    }

    function fireDeadlines(now: Date) {
      for (const saga of dueSagas(db, now, 100)) {
        const progress = db.transaction(
          (tx) =>
            Object.entries(saga.state.deadlines).flatMap(([step, at]) => {
              if (!at || at > now.toISOString()) return [];
              const run = runSaga(tx, deadlinePassed(saga.orderId, step as StepName, now), policyAt(now));
              endpoint.send(tx, run.commands);
              return run.progress;
            }),
          { behavior: 'immediate' },
        );
        progress.forEach(metrics.saga);
      }
    }
  },
});

const deadlinePassed = (orderId: string, step: StepName, now: Date): TracedInput => ({
  type: 'DeadlinePassed',
  data: { orderId, step },
  messageId: newId(),
  causationId: null,
  producer: 'orchestrator',
  occurredAt: now.toISOString(),
});
