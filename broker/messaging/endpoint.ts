import { envelope, type Message, type ServiceName } from '../../contracts';
import type { Logger } from '../../lib/logger';
import { endSpan, SpanKind, startSpan, traceparentOf, withTracestate } from '../../lib/tracing';
import type { Database } from '../../db/database';
import type { Broker } from '../broker';
import { consumeMessages, type MessageObserver } from './consumer';
import { handledLogFields, storyLogger } from './handled-log';
import { messageLogFields } from './log-fields';
import { enqueue, OutboxRelay } from './outbox';
import type { MessagingStore } from './store';
import type { RetryPolicy } from './retry-policy';
import type { Inbound, Outbound, OutgoingFrom, PublishedBy } from '../../contracts/topology';

/**
 * A service's side of the broker: what it sends goes through its outbox, what it receives
 * is validated, deduplicated by its inbox and applied in one transaction with the replies.
 * Deliveries that arrive together may share a transaction (SQLite's group commit).
 */
/** What a handler is given besides the message: the time, and the span that handles it. */
export interface Handling {
  now: Date;
  traceparent: string;
}

export class Endpoint<S extends ServiceName, St extends MessagingStore = MessagingStore> {
  readonly relay: OutboxRelay;

  constructor(
    readonly service: S,
    /** This process's INSTANCE_ID, which every message it sends carries. */
    readonly instance: string,
    private readonly database: Database<St>,
    private readonly broker: Broker,
    private readonly logger: Logger,
    private readonly retryPolicy: RetryPolicy,
    private readonly observe?: MessageObserver,
  ) {
    this.relay = new OutboxRelay(database, broker, logger);
    // The relay reads committed rows only: it is woken once the transaction that sent commits.
    database.onCommit((store) => {
      if (this.sentIn.delete(store)) this.relay.wake();
    });
  }

  /** The stores (one per connection) whose open transaction has put messages in the outbox. */
  private readonly sentIn = new Set<St>();

  /**
   * Stores messages to send in the caller's transaction; the relay publishes them once it commits.
   * Only the types this service publishes compile: the broker would refuse it the others.
   */
  async send(store: St, messages: readonly Outbound<S>[]): Promise<void> {
    // A message sent under a span still open here (a request's, a handling's) carries its tracestate.
    await enqueue(
      store,
      messages.map((message) => withTracestate(message.instance ? message : { ...message, instance: this.instance })),
    );
    if (messages.length > 0) this.sentIn.add(store);
  }

  /**
   * Consumes this service's queue. `decide` runs inside an immediate transaction, at most
   * once per message id; what it returns is sent as replies caused by the message. Each message
   * handled is one log line, once committed, with what it was answered (`handledLogFields`).
   */
  async listen(decide: (store: St, message: Inbound<S>, now: Date) => Promise<OutgoingFrom<S>[]>): Promise<void> {
    const story = storyLogger(this.logger);
    // After the commit, as the metrics: a rolled-back attempt handled nothing.
    const logHandled = ({ message, replies }: { message: Message; replies: readonly Message[] }) =>
      story.info(handledLogFields(message, replies), 'message handled');
    await this.listenRaw(async (store, message, { now, traceparent }) => {
      const replies = (await decide(store, message, now)).map((reply) =>
        envelope<PublishedBy<S>>(reply, {
          producer: this.service,
          instance: this.instance,
          correlationId: message.correlationId,
          causationId: message.messageId,
          traceparent,
          now,
        }),
      );
      await this.send(store, replies);
      return { message, replies };
    }, logHandled);
  }

  /**
   * As `listen`, for a handler that builds and sends its own envelopes (the orchestrator), with
   * the `traceparent` its messages carry: the span of this handling, under the message's (`send`
   * adds the tracestate it continues).
   * Deliveries that arrive together are applied in one transaction (the group commit), each at
   * most once per message id, and acked after that commit; `committed` is then given what
   * `apply` returned for each.
   */
  async listenRaw<R>(
    apply: (store: St, message: Inbound<S>, handling: Handling) => Promise<R>,
    committed: (result: R) => void = () => {},
  ): Promise<void> {
    const handle = async (store: St, message: Message): Promise<{ result: R } | undefined> => {
      const now = new Date();
      // consumeMessages has checked the type against this queue's subscriptions.
      if (!(await store.recordFirstDelivery(message, now))) {
        this.logger.debug(messageLogFields(message), 'duplicate ignored');
        return undefined;
      }
      const span = startSpan(`process ${message.type}`, SpanKind.CONSUMER, message, {
        service: this.service,
        attributes: {
          'messaging.destination.name': this.service,
          'messaging.message.id': message.messageId,
          'messaging.message.conversation_id': message.correlationId,
        },
      });
      try {
        const result = await apply(store, message as Inbound<S>, { now, traceparent: traceparentOf(span) });
        endSpan(span);
        return { result };
      } catch (error) {
        endSpan(span, error);
        throw error;
      }
    };
    await consumeMessages(
      this.broker,
      this.service,
      async (message) => {
        const applied = await this.database.transaction((store) => handle(store, message));
        // After the commit: what a rolled-back attempt did is not reported.
        if (applied) committed(applied.result);
      },
      this.logger,
      this.retryPolicy,
      this.observe,
    );
    this.relay.start();
  }

  async stop(): Promise<void> {
    await this.relay.stop();
  }
}
