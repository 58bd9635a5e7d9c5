import type { Broker, BrokerOptions } from '../broker';

/** Makes a fresh broker of one adapter, and how to remove what it left behind (files, queues). */
export type BrokerFactory = (options: BrokerOptions) => Promise<{ broker: Broker; cleanup: () => Promise<void> }>;

/** Opens a broker that the suite closes and cleans up after each test. */
export type OpenBroker = (options?: BrokerOptions) => Promise<Broker>;
