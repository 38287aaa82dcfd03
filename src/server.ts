import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';

let config: Config;
try {
  config = loadConfig();
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
}

const app = await buildApp({ config }).catch((err: unknown) => {
  console.error(`Liftoff could not start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

// On SIGTERM/SIGINT: stop accepting, let in-flight requests finish, then close the pool (app.close runs onClose).
closeWithGrace({ delay: config.SHUTDOWN_TIMEOUT_MS }, async ({ signal, err }) => {
  if (err) app.log.error({ err }, 'shutting down after an error');
  else app.log.info({ signal }, 'shutting down');
  await app.close();
});

const address = await app.listen({ port: config.PORT, host: config.HOST });
app.log.info(
  { database: app.db.kind, location: app.db.location },
  `Liftoff listening on ${address} — API docs at ${address.replace('0.0.0.0', '127.0.0.1')}/docs`,
);
