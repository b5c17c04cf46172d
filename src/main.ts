/** The statusrelay process: configuration from the environment, then the relay until SIGTERM. */
import { loadConfig, type Config } from './config.js';
import { ConfigError } from './ops/env.js';
import { createRelay } from './relay.js';

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  // The message names the variable; a stack trace would only bury it.
  process.stderr.write(`statusrelay: cannot start: ${error.message}\n`);
  process.exit(1);
}
const relay = await createRelay(config);
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
