/** The statusrelay process: configuration from the environment, then the relay until SIGTERM. */
import { loadConfig } from './config.js';
import { createRelay } from './relay.js';

const relay = await createRelay(loadConfig());
await relay.start();

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    relay.logger.info({ signal }, 'shutting down');
    relay.stop().then(
      () => process.exit(0),
      (error) => {
        relay.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
