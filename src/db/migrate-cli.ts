import { loadConfig } from '../config.js';
import { createDatabase } from './knex.js';
import { migrateLatest, migrateRollback } from './migrate.js';

const config = loadConfig();
const db = createDatabase(config);
try {
  const log = process.argv[2] === 'rollback' ? await migrateRollback(db.knex) : await migrateLatest(db.knex);
  console.log(`${db.location}: ${log.length === 0 ? 'already up to date' : log.join(', ')}`);
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
} finally {
  await db.knex.destroy();
}
