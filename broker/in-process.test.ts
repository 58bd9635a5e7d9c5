import { brokerContract } from './broker.contract';
import { InProcessBroker } from './in-process';

brokerContract('in-process', async (options) => ({ broker: new InProcessBroker(options), cleanup: async () => {} }));
