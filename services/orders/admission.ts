import type { ServiceHealth } from '../../platform/store-health';
import type { OrdersStore } from './store';

type AdmissionState = NonNullable<ServiceHealth['admission']>;

/**
 * How long /health goes on saying `shedding` after the last order refused. Refusals come in
 * bursts shorter than a probe's interval: customers told to retry after a second come back
 * together, a burst fills the bound, and the shop settles it in a few hundred milliseconds.
 */
export const SHEDDING_SHOWN_MS = 1_000;

/**
 * Whether orders takes new ones: it sheds them once `limit` are pending, since a new order
 * behind that many would wait past its deadlines.
 */
export class Admission {
  private lastRefusalAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly limit: number) {}

  /** For a new order, inside the transaction that would insert it: `shedding` refuses it. */
  async check(store: OrdersStore, now: number): Promise<AdmissionState> {
    const state = await this.count(store);
    if (state.status === 'shedding') this.lastRefusalAt = now;
    return state;
  }

  /** For /health: shedding now, or an order was refused within SHEDDING_SHOWN_MS. */
  async report(store: OrdersStore, now: number): Promise<AdmissionState> {
    const state = await this.count(store);
    return now - this.lastRefusalAt < SHEDDING_SHOWN_MS ? { ...state, status: 'shedding' } : state;
  }

  private async count(store: OrdersStore): Promise<AdmissionState> {
    const pending = await store.countPending();
    return { status: pending >= this.limit ? 'shedding' : 'accepting', pending, limit: this.limit };
  }
}
