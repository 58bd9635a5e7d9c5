import type { ServiceName } from '../../contracts';
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
   * Messages of these types are never delivered (with the chance given, always by default): the
   * publisher was told the broker has them, then they vanished, as with a crash, an operator
   * purging a dead-letter queue or a reply dead-lettered by its consumer.
   */
  drop?: { types: readonly string[]; chance?: number };
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
  /** Injects another plan's faults from now on (one system, many property runs). */
  replan(plan: FaultPlan): void;
  /** What was injected so far. */
  readonly injected: { duplicated: number; delayed: number; failed: number; dropped: number };
  /** The messages dropped so far, to deliver them late by hand. */
  readonly dropped: { routingKey: string; payload: string }[];
}
export type FaultyBroker = Broker & FaultControls;

/** Wraps either transport with the faults of `plan`; without a plan only pause/resume act. */
export function withFaults(inner: Broker, plan: FaultPlan = { seed: 1 }): FaultyBroker {
  let chance = random(plan.seed);
  const injected = { duplicated: 0, delayed: 0, failed: 0, dropped: 0 };
  const dropped: { routingKey: string; payload: string }[] = [];
  const paused = new Set<ServiceName>();
  const held = new Map<ServiceName, { handler: DeliveryHandler; delivery: Delivery }[]>();

  return decorate<FaultControls>(inner, {
    injected,
    dropped,
    replan(next: FaultPlan) {
      plan = next;
      chance = random(next.seed);
    },
    pause: (queue: ServiceName) => void paused.add(queue),
    resume(queue: ServiceName) {
      paused.delete(queue);
      const waiting = held.get(queue) ?? [];
      held.delete(queue);
      for (const { handler, delivery } of waiting) void handler(delivery);
    },
    async publish(routingKey: string, payload: string) {
      if (plan.delayMs) {
        const [min, max] = plan.delayMs;
        injected.delayed++;
        await new Promise((resolve) => setTimeout(resolve, min + chance() * (max - min)));
      }
      if (plan.failPublish && chance() < plan.failPublish) {
        injected.failed++;
        throw new Error('injected fault: crashed between commit and publish');
      }
      if (plan.drop?.types.includes(routingKey) && chance() < (plan.drop.chance ?? 1)) {
        injected.dropped++;
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
        if (!paused.has(queue)) return handler(delivery);
        held.set(queue, [...(held.get(queue) ?? []), { handler, delivery }]);
      });
    },
  });
}
