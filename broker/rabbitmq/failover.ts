import { setTimeout as sleep } from 'node:timers/promises';
import { connect, type ChannelModel } from 'amqplib';
import { ignore } from './topology';

export interface FailoverOptions {
  /** The cluster's nodes, tried in turn. */
  urls: readonly string[];
  /** amqplib's socket options (client properties, noDelay), the same on every node. */
  socketOptions: Record<string, unknown>;
  /**
   * Builds what the caller needs on a new connection (topology, channels, consumers); the
   * connection counts as up only once it resolves, and one that throws is dropped for the next node.
   */
  setup: (model: ChannelModel) => Promise<void>;
  /** Told of each node that did not answer, or refused, with the pause before the next try. */
  onFailure?: (failure: { url: string; attempt: number; retryInMs: number; error: Error }) => void;
  /** Longest pause between two rounds over the nodes (default 5 s). */
  maxDelayMs?: number;
  /**
   * The node tried first (an index into `urls`). By default one at random, so that the
   * processes of a deployment, each given the same list, spread over the nodes: a quorum
   * queue's leader is placed on the node of the connection that declares it.
   */
  firstNode?: number;
}

const FIRST_DELAY_MS = 100;

/**
 * A connection to whichever node of a cluster answers. It tries the nodes one after the other,
 * beginning with one at random; after losing a node it goes on with the next, since the lost
 * one is likely down, and only when a whole round fails does it pause, a little longer each
 * round. RabbitMQ replicates quorum queues, so any node serves them all. A single URL is a
 * cluster of one, and gets the same reconnection.
 */
export class FailoverConnection {
  private model: ChannelModel | undefined;
  private next: number;
  private readonly stopping = new AbortController();
  private readonly connected: Promise<void>;
  private resolveConnected!: () => void;
  private rejectConnected!: (error: Error) => void;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: FailoverOptions) {
    if (options.urls.length === 0) throw new Error('no broker URL given');
    this.next = (options.firstNode ?? Math.floor(Math.random() * options.urls.length)) % options.urls.length;
    this.connected = new Promise<void>((resolve, reject) => {
      this.resolveConnected = resolve;
      this.rejectConnected = reject;
    });
    this.connected.catch(ignore);
  }

  /** Starts connecting, in the background, and keeps a connection until close(). */
  start(): void {
    this.loop ??= this.keepConnected();
  }

  /** Resolves at the first connection; rejects if closed before there was one. */
  waitForConnect(): Promise<void> {
    return this.connected;
  }

  /** The URL of the node connected to, if any. */
  get node(): string | undefined {
    return this.model ? this.options.urls[this.next] : undefined;
  }

  async close(): Promise<void> {
    this.stopping.abort();
    this.rejectConnected(new Error('connection closed'));
    const model = this.model;
    this.model = undefined;
    await model?.close().catch(ignore);
    await this.loop;
  }

  private get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  private async keepConnected(): Promise<void> {
    const { urls } = this.options;
    let failures = 0;
    while (!this.stopped) {
      const url = urls[this.next]!;
      try {
        const { model, closed } = await this.open(url);
        failures = 0;
        await closed;
        if (this.model === model) this.model = undefined;
      } catch (error) {
        failures++;
        // A pause only after a whole round: the next node may well answer at once.
        const retryInMs = failures % urls.length === 0 ? this.delay(failures / urls.length) : 0;
        if (!this.stopped) this.options.onFailure?.({ url, attempt: failures, retryInMs, error: error as Error });
        await sleep(retryInMs, undefined, { signal: this.stopping.signal }).catch(ignore);
      }
      this.next = (this.next + 1) % urls.length;
    }
  }

  private async open(url: string): Promise<{ model: ChannelModel; closed: Promise<unknown> }> {
    const model = await connect(url, this.options.socketOptions);
    const closed = new Promise((resolve) => model.once('close', resolve));
    // Failures reach us as 'close'; an 'error' event without a listener would crash the process.
    model.on('error', ignore);
    try {
      if (this.stopped) throw new Error('connection closed');
      await this.options.setup(model);
      if (this.stopped) throw new Error('connection closed');
    } catch (error) {
      await model.close().catch(ignore);
      throw error;
    }
    this.model = model;
    this.resolveConnected();
    return { model, closed };
  }

  /** Doubles from 100 ms each round, up to the cap. */
  private delay(round: number): number {
    return Math.min(this.options.maxDelayMs ?? 5_000, FIRST_DELAY_MS * 2 ** (round - 1));
  }
}
