import type { MessageType, ServiceName } from '../../contracts';
import type { Broker, Delivery, DeliveryHandler } from '../../broker/broker';
import { decorate } from './decorate';

export interface FaultPlan {
  /** Seeds every random choice, so a failing run can be replayed. */
  seed: number;
  /** Chance that a publish is sent twice. */
  duplicate?: number;
  /** Each publish waits a random time in this range first, which also reorders messages. */
  delayMs?: [number, number];
  /**
   * Chance that a publish fails before it reaches the broker, as a crash between the outbox
   * commit and the publish would: the relay must send it again.
   */
  failPublish?: number;
  /**
   * Messages of these types are never delivered (with the chance given, always by default; at
   * most `limit` of them, all by default): the publisher was told the broker has them, then they
   * vanished, as with a crash, an operator purging a dead-letter queue or a reply dead-lettered
   * by its consumer. A `limit` lets the message sent again on a deadline get through.
   */
  drop?: { types: readonly string[]; chance?: number; limit?: number };
}

/** A seeded PRNG (mulberry32): the same seed gives the same faults. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FaultControls {
  /** Holds every delivery to `queue`, unacked, as if its service were down. */
  pause(queue: ServiceName): void;
  /** Hands the held deliveries over and lets new ones through. */
  resume(queue: ServiceName): void;
  /** Holds every delivery of messages of `type`, unacked, as if they were slow to arrive. */
  hold(type: MessageType): void;
  /** Hands the held deliveries of `type` over and lets new ones through. */
  release(type: MessageType): void;
  /** How many deliveries of `type` are being held. */
  holding(type: MessageType): number;
  /** Injects another plan's faults from now on (one system, many property runs). */
  replan(plan: FaultPlan): void;
  /** What was injected so far, and how many publishes it had the chance to fault. */
  readonly injected: { published: number; duplicated: number; delayed: number; failed: number; dropped: number };
  /** The messages dropped so far, in order, to deliver them late by hand or to tell whose they were. */
  readonly dropped: { routingKey: string; payload: string }[];
}
export type FaultyBroker = Broker & FaultControls;

/** Wraps either transport with the faults of `plan`; without a plan only pause/resume act. */
export function withFaults(inner: Broker, plan: FaultPlan = { seed: 1 }): FaultyBroker {
  let chance = random(plan.seed);
  /** Dropped under the current plan, which `drop.limit` bounds. */
  let droppedThisPlan = 0;
  const injected = { published: 0, duplicated: 0, delayed: 0, failed: 0, dropped: 0 };
  const dropped: { routingKey: string; payload: string }[] = [];
  const paused = new Set<ServiceName>();
  const heldTypes = new Set<string>();
  let held: { queue: ServiceName; handler: DeliveryHandler; delivery: Delivery }[] = [];
  const isHeld = (queue: ServiceName, delivery: Delivery) => paused.has(queue) || heldTypes.has(delivery.routingKey);
  /**
   * Hands over what is held and no longer should be, one at a time in the order it came, as a
   * paused queue would: on a store that runs transactions side by side (PostgreSQL), handing
   * them all at once would let a later message win the race and change the scenario.
   */
  const handOver = async () => {
    const free = held.filter(({ queue, delivery }) => !isHeld(queue, delivery));
    held = held.filter((entry) => !free.includes(entry));
    for (const { handler, delivery } of free) await handler(delivery);
  };
  const shouldDrop = (routingKey: string) => {
    const drop = plan.drop;
    if (!drop?.types.includes(routingKey) || droppedThisPlan >= (drop.limit ?? Infinity)) return false;
    return chance() < (drop.chance ?? 1);
  };

  return decorate<FaultControls>(inner, {
    injected,
    dropped,
    replan(next: FaultPlan) {
      plan = next;
      chance = random(next.seed);
      droppedThisPlan = 0;
    },
    pause: (queue: ServiceName) => void paused.add(queue),
    resume(queue: ServiceName) {
      paused.delete(queue);
      void handOver();
    },
    hold: (type: MessageType) => void heldTypes.add(type),
    release(type: MessageType) {
      heldTypes.delete(type);
      void handOver();
    },
    holding: (type: MessageType) => held.filter(({ delivery }) => delivery.routingKey === type).length,
    async publish(routingKey: string, payload: string) {
      injected.published++;
      if (plan.delayMs) {
        const [min, max] = plan.delayMs;
        injected.delayed++;
        await new Promise((resolve) => setTimeout(resolve, min + chance() * (max - min)));
      }
      if (plan.failPublish && chance() < plan.failPublish) {
        injected.failed++;
        throw new Error('injected fault: crashed between commit and publish');
      }
      if (shouldDrop(routingKey)) {
        injected.dropped++;
        droppedThisPlan++;
        dropped.push({ routingKey, payload });
        return;
      }
      await inner.publish(routingKey, payload);
      if (plan.duplicate && chance() < plan.duplicate) {
        injected.duplicated++;
        await inner.publish(routingKey, payload);
      }
    },
    consume(queue: ServiceName, handler: DeliveryHandler) {
      return inner.consume(queue, async (delivery) => {
        if (!isHeld(queue, delivery)) return handler(delivery);
        held.push({ queue, handler, delivery });
      });
    },
  });
}
