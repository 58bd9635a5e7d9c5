import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { MessageOutcome } from '../broker/messaging/consumer';

/** A step of a saga seen through: it succeeded, failed, or was given up at its deadline. */
export interface StepSeen {
  step: string;
  outcome: 'succeeded' | 'failed' | 'timed_out';
  seconds: number;
}

/** What one input did to its saga, for the metrics; reported after its transaction committed. */
export interface SagaProgress {
  started: boolean;
  ended?: { status: string; reason: string; seconds: number };
  steps: StepSeen[];
}

/** A gauge's values, read at every scrape. */
type Readings = () => Promise<{ labels: Record<string, string>; value: number }[]>;

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * A metric's child per combination of label values, made once: prom-client hashes the labels
 * on every call otherwise, and a message or a request is counted on every hot path.
 */
function children<C>(make: (...values: string[]) => C): (...values: string[]) => C {
  const made = new Map<string, C>();
  return (...values) => {
    const key = values.join('\u0000');
    let child = made.get(key);
    if (!child) made.set(key, (child = make(...values)));
    return child;
  };
}

/**
 * The process's Prometheus metrics (GET /metrics), one registry per system so that several
 * systems in one process (the tests) count apart. Services report through the methods; what
 * is a level rather than a count (outbox backlog, sagas in flight) is read at each scrape.
 */
export function createMetrics() {
  const registry = new Registry();
  const registers = [registry];
  const http = new Histogram({
    name: 'shop_http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern and status',
    labelNames: ['method', 'route', 'status'],
    buckets: SECONDS,
    registers,
  });
  const messages = new Counter({
    name: 'shop_messages_total',
    help: 'Deliveries each service consumed, by queue, message type and outcome',
    labelNames: ['queue', 'type', 'outcome'],
    registers,
  });
  const sagasStarted = new Counter({ name: 'shop_sagas_started_total', help: 'Sagas started', registers });
  const sagasEnded = new Counter({
    name: 'shop_sagas_ended_total',
    help: 'Sagas ended, by outcome (CONFIRMED, CANCELLED) and reason',
    labelNames: ['outcome', 'reason'],
    registers,
  });
  const sagaDuration = new Histogram({
    name: 'shop_saga_duration_seconds',
    help: 'From a saga’s start to its end, by outcome',
    labelNames: ['outcome'],
    buckets: SECONDS,
    registers,
  });
  const operatorActions = new Counter({
    name: 'shop_saga_operator_actions_total',
    help: 'Operators’ actions that reached a running saga, by action (CancelSaga, RetrySaga, ExtendSaga)',
    labelNames: ['action'],
    registers,
  });
  const stepDuration = new Histogram({
    name: 'shop_saga_step_duration_seconds',
    help: 'From a step’s command to its answer (or its deadline), by step and outcome',
    labelNames: ['step', 'outcome'],
    buckets: SECONDS,
    registers,
  });

  const gauge = (name: string, help: string, labelNames: string[], readings: Readings[]) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers,
      async collect() {
        this.reset();
        for (const read of readings) for (const { labels, value } of await read()) this.set(labels, value);
      },
    });
  const backlogs: Readings[] = [];
  const oldest: Readings[] = [];
  const inFlight: Readings[] = [];
  gauge('shop_outbox_backlog', 'Messages committed and not yet published, by service', ['service'], backlogs);
  gauge(
    'shop_outbox_oldest_age_seconds',
    'Age of the oldest message not yet published, by service',
    ['service'],
    oldest,
  );
  gauge('shop_sagas_in_flight', 'Sagas running or compensating', [], inFlight);

  const requestsOf = children((method, route, status) => http.labels(method!, route!, status!));
  const messagesOf = children((queue, type, outcome) => messages.labels(queue!, type!, outcome!));
  return {
    registry,
    request(method: string, route: string, status: number, seconds: number) {
      requestsOf(method, route, String(status)).observe(seconds);
    },
    message(queue: string, type: string, outcome: MessageOutcome) {
      messagesOf(queue, type, outcome).inc();
    },
    saga({ started, ended, steps }: SagaProgress) {
      if (started) sagasStarted.inc();
      if (ended) {
        sagasEnded.inc({ outcome: ended.status, reason: ended.reason });
        sagaDuration.observe({ outcome: ended.status }, ended.seconds);
      }
      for (const { step, outcome, seconds } of steps) stepDuration.observe({ step, outcome }, seconds);
    },
    operatorAction(action: string) {
      operatorActions.inc({ action });
    },
    /** A service's outbox, read at each scrape. */
    outbox(service: string, read: () => Promise<{ pending: number | null; oldestAgeSeconds: number | null }>) {
      backlogs.push(async () => [{ labels: { service }, value: (await read()).pending ?? 0 }]);
      oldest.push(async () => [{ labels: { service }, value: (await read()).oldestAgeSeconds ?? 0 }]);
    },
    sagasInFlight(read: () => Promise<number>) {
      inFlight.push(async () => [{ labels: {}, value: await read() }]);
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
