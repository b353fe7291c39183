// The API as its own process for bench/api-reads.ts (spawned with `node --import tsx`, so its pid is the API and
// its CPU time can be read from /proc). Built like api/server.ts builds it, with production settings
// (NODE_ENV=production, LOG_LEVEL from the benchmark, default info: one log line per request, written to the
// stdout the benchmark discards). Prints API-READY <url> on stderr once listening; SIGTERM stops it.
import { loadConfig } from '../lib/config.js';
import { createLogger } from '../lib/logger.js';
import { createDatabase } from '../db/client.js';
import { buildAppDeps, startApiServer } from '../api/server.js';

async function main(): Promise<void> {
  const config = loadConfig({ ...process.env, NODE_ENV: 'production', HOST: '127.0.0.1', PORT: process.env.BENCH_API_PORT ?? '3000' });
  if (!config.DATABASE_URL) throw new Error('DATABASE_URL is required');
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'api' });
  const database = createDatabase(config.DATABASE_URL);
  const deps = buildAppDeps(config, database, logger);
  const api = await startApiServer(deps);
  process.stderr.write(`API-READY ${api.url}\n`);
  process.on('SIGTERM', () => {
    void api
      .close()
      .then(() => deps.temporal.connection.close())
      .then(() => database.close())
      .finally(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
