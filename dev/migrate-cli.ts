// `npm run db:migrate`: apply migrations as the schema owner, to MIGRATION_DATABASE_URL (or DATABASE_URL when
// there is no separate owner, as under `npm start`); the database is created if missing. With
// FC_APP_DB_PASSWORD set, the application's least-privilege role `flow_controller_app` (created and granted by
// the migrations) gets that password and may log in: the API and the worker then connect as it (DATABASE_URL).
import postgres from 'postgres';
import { loadConfig } from '../lib/config.js';
import { ensureDatabase, runMigrations } from '../db/migrate.js';

const config = loadConfig();
const url = process.env.MIGRATION_DATABASE_URL || config.DATABASE_URL;
if (!url) {
  console.error(
    'MIGRATION_DATABASE_URL or DATABASE_URL is missing: db:migrate needs the database to migrate (npm start migrates its own).',
  );
  process.exit(2);
}
await ensureDatabase(url);
await runMigrations(url);
const password = process.env.FC_APP_DB_PASSWORD;
if (password) {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    // ALTER ROLE takes no bind parameters: quote the literal ourselves.
    await sql.unsafe(`alter role flow_controller_app login password '${password.replaceAll("'", "''")}'`);
  } finally {
    await sql.end({ timeout: 5 });
  }
}
console.log('migrations applied');
