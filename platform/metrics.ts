import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Broker } from '../broker/broker';
import type { ServiceName } from '../contracts';
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

/** What GET /metrics answers. */
export interface MetricsPage {
  contentType: string;
  text: string;
}

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

let processRegistry: Registry | undefined;

/**
 * prom-client's metrics of the process and of Node.js (CPU, memory, file descriptors, event loop
 * lag, GC), registered once per process: they describe the process, however many systems it
 * runs (the tests run several), and each registration would keep an event-loop monitor and a GC
 * observer of its own for as long as the process lives.
 */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/**
 * The Prometheus metrics of a system (GET /metrics): the process's, and the shop's in a registry
 * per system, so that several systems in one process (the tests) count apart. Services report
 * through the methods; what is a level rather than a count (outbox backlog, dead letters, sagas
 * in flight, the oldest of them) is read at each scrape.
 */
export function createMetrics() {
  const shop = new Registry();
  const registers = [shop];
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
        // A reading that fails (its database away) leaves its series out, not the whole page.
        const values = await Promise.all(readings.map((read) => read().catch(() => [])));
        for (const { labels, value } of values.flat()) this.set(labels, value);
      },
    });
  const backlogs: Readings[] = [];
  const oldest: Readings[] = [];
  const deadLetters: Readings[] = [];
  const inFlight: Readings[] = [];
  const oldestSaga: Readings[] = [];
  gauge('shop_outbox_backlog', 'Messages committed and not yet published, by service', ['service'], backlogs);
  gauge(
    'shop_outbox_oldest_age_seconds',
    'Age of the oldest message not yet published, by service',
    ['service'],
    oldest,
  );
  gauge('shop_dead_letters', 'Dead letters waiting in each service’s dead-letter queue', ['service'], deadLetters);
  gauge('shop_sagas_in_flight', 'Sagas running or compensating', [], inFlight);
  gauge(
    'shop_saga_oldest_pending_age_seconds',
    'Age of the oldest saga not ended (running or compensating); 0 when none is',
    [],
    oldestSaga,
  );
  const registry = Registry.merge([processMetrics(), shop]);

  const requestsOf = children((method, route, status) => http.labels(method!, route!, status!));
  const messagesOf = children((queue, type, outcome) => messages.labels(queue!, type!, outcome!));
  return {
    async scrape(): Promise<MetricsPage> {
      return { contentType: registry.contentType, text: await registry.metrics() };
    },
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
    /** A service's outbox, read at each scrape (`pending` is null when its database is away). */
    outbox(service: string, read: () => Promise<{ pending: number | null; oldestAgeSeconds: number | null }>) {
      // Left out while the database cannot tell, rather than said to be empty.
      const reading =
        (value: (outbox: Awaited<ReturnType<typeof read>>) => number | null): Readings =>
        async () => {
          const outbox = await read();
          return outbox.pending === null ? [] : [{ labels: { service }, value: value(outbox) ?? 0 }];
        };
      backlogs.push(reading((outbox) => outbox.pending));
      oldest.push(reading((outbox) => outbox.oldestAgeSeconds));
    },
    /**
     * A service's dead letters, counted on its broker at each scrape; left out while the broker is
     * away, as RabbitMQ's count would wait for it to come back.
     */
    deadLetters(service: ServiceName, broker: Pick<Broker, 'countDeadLetters' | 'isConnected'>) {
      deadLetters.push(async () =>
        broker.isConnected() ? [{ labels: { service }, value: await broker.countDeadLetters(service) }] : [],
      );
    },
    sagasInFlight(read: () => Promise<number>) {
      inFlight.push(async () => [{ labels: {}, value: await read() }]);
    },
    /** When the oldest saga not ended started (undefined when none runs), read at each scrape. */
    oldestPendingSaga(read: () => Promise<string | undefined>) {
      oldestSaga.push(async () => {
        const startedAt = await read();
        const seconds = startedAt === undefined ? 0 : Math.max(0, (Date.now() - Date.parse(startedAt)) / 1000);
        return [{ labels: {}, value: seconds }];
      });
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
