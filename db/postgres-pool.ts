import type pg from 'pg';

export interface Connection<S> {
  client: pg.Client;
  store: S;
  /** The client reported an error outside a query, or could not roll back: it is replaced before its next use. */
  broken: boolean;
}

/** A place in the pool: a connection, or none yet (opened on first use, and again after one broke). */
interface Slot<S> {
  connection?: Connection<S>;
}

/**
 * A fixed number of connections, lent one caller at a time; callers beyond them wait in the
 * order they came. pg's own Pool is not used: it hands out bare clients, and each connection
 * here must carry the store built on it.
 */
export class Pool<S> {
  private readonly free: Slot<S>[];
  private readonly waiting: ((slot: Slot<S>) => void)[] = [];
  private closed = false;

  constructor(
    private readonly size: number,
    private readonly connect: () => Promise<pg.Client>,
    private readonly build: (client: pg.Client) => S,
  ) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`poolSize must be a positive whole number, not ${size}`);
    this.free = Array.from({ length: size }, () => ({}));
  }

  async use<R>(work: (connection: Connection<S>) => Promise<R>): Promise<R> {
    if (this.closed) throw new Error('the database is closed');
    const slot = await this.checkOut();
    try {
      if (slot.connection?.broken) this.discard(slot);
      slot.connection ??= await this.open();
      return await work(slot.connection);
    } finally {
      if (slot.connection?.broken) this.discard(slot);
      this.checkIn(slot);
    }
  }

  /** Waits for every slot to come back, so work under way ends first, then closes their connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const slots = await Promise.all(Array.from({ length: this.size }, () => this.checkOut()));
    await Promise.all(slots.map((slot) => slot.connection?.client.end().catch(() => {})));
  }

  private async open(): Promise<Connection<S>> {
    const client = await this.connect();
    let store: S;
    try {
      store = this.build(client);
    } catch (error) {
      await client.end();
      throw error;
    }
    const connection: Connection<S> = { client, store, broken: false };
    client.on('error', () => (connection.broken = true));
    return connection;
  }

  private discard(slot: Slot<S>): void {
    slot.connection!.client.end().catch(() => {});
    slot.connection = undefined;
  }

  private checkOut(): Promise<Slot<S>> {
    const slot = this.free.shift();
    return slot ? Promise.resolve(slot) : new Promise((resolve) => this.waiting.push(resolve));
  }

  private checkIn(slot: Slot<S>): void {
    const next = this.waiting.shift();
    if (next) next(slot);
    else this.free.push(slot);
  }
}
