import type { Broker } from '../../broker/broker';
import { withFaults } from './faulty-broker';

/** Publishes every message twice: each consumer receives everything at least twice. */
export const duplicating = (inner: Broker): Broker => withFaults(inner, { seed: 1, duplicate: 1 });
