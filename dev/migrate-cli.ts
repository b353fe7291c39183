// `npm run db:migrate`: apply migrations to DATABASE_URL (created if missing).
import { loadConfig } from '../lib/config.js';
import { ensureDatabase, runMigrations } from '../db/migrate.js';

const config = loadConfig();
if (!config.DATABASE_URL) {
  console.error('DATABASE_URL is missing: db:migrate needs the database to migrate (npm start migrates its own).');
  process.exit(2);
}
await ensureDatabase(config.DATABASE_URL);
await runMigrations(config.DATABASE_URL);
console.log('migrations applied');
