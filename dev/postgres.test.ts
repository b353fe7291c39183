// The embedded PostgreSQL that `npm start` falls back to really starts (also as root), takes the
// migrations, answers queries, and stops.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { startEmbeddedPostgres, canConnect } from './postgres.js';
import { freePort } from './temporal-dev-server.js';
import { runMigrations, ensureDatabase } from '../db/migrate.js';
import { silentLogger } from '../test/harness.js';

describe('embedded PostgreSQL', () => {
  it('initialises, migrates, answers and stops', { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fc-embedded-pg-'));
    const port = await freePort();
    const pg = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port, logger: silentLogger });
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
      await rm(dir, { recursive: true, force: true });
    }
    expect(await canConnect(`postgres://postgres:postgres@127.0.0.1:${port}/postgres`, 1)).toBe(false);
  });
});
