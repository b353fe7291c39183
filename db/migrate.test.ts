// Migrations apply to an empty database, and a second run changes nothing.
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import postgres from 'postgres';
import { runMigrations } from './migrate.js';
import { testDatabaseUrl, uniqueName } from '../test/harness.js';

const name = uniqueName('fc_t_migrate');
const admin = postgres(inject('pgAdminUrl'), { max: 1, onnotice: () => undefined });

afterAll(async () => {
  await admin.unsafe(`drop database if exists "${name}" with (force)`);
  await admin.end();
});

async function schemaFingerprint(url: string) {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    const columns = await sql`
      select table_name, column_name, data_type, is_nullable from information_schema.columns
      where table_schema = 'public' order by table_name, column_name`;
    const applied = await sql`select hash from drizzle.__drizzle_migrations order by id`;
    const triggers = await sql`select tgname from pg_trigger where not tgisinternal order by tgname`;
    return {
      columns: columns.map((r) => ({ ...r })),
      applied: applied.map((r) => r.hash as string),
      triggers: triggers.map((r) => r.tgname as string),
    };
  } finally {
    await sql.end();
  }
}

describe('migrations', () => {
  it('apply to an empty database and a second run is a no-op', async () => {
    await admin.unsafe(`create database "${name}"`);
    const url = testDatabaseUrl(name);
    await runMigrations(url);
    const first = await schemaFingerprint(url);
    expect(first.applied.length).toBeGreaterThan(0);
    expect(first.columns.some((c) => c.table_name === 'audit_events')).toBe(true);

    await runMigrations(url);
    const second = await schemaFingerprint(url);
    expect(second).toEqual(first);
  });
});

describe('migration files', () => {
  it('are forward-only: journaled in order, each file present, nothing dropped or rewritten', async () => {
    const { readFileSync, readdirSync } = await import('node:fs');
    const { MIGRATIONS_FOLDER } = await import('./migrate.js');
    const journal = JSON.parse(readFileSync(`${MIGRATIONS_FOLDER}/meta/_journal.json`, 'utf8')) as {
      entries: Array<{ idx: number; tag: string; when: number }>;
    };
    const files = readdirSync(MIGRATIONS_FOLDER)
      .filter((f) => f.endsWith('.sql'))
      .sort();
    expect(journal.entries.map((e) => `${e.tag}.sql`)).toEqual(files);
    journal.entries.forEach((e, i) => {
      expect(e.idx).toBe(i);
      if (i > 0) expect(e.when).toBeGreaterThan(journal.entries[i - 1]?.when ?? 0);
    });
    for (const f of files) {
      const sql = readFileSync(`${MIGRATIONS_FOLDER}/${f}`, 'utf8');
      expect(sql, f).not.toMatch(/\bDROP\s+(TABLE|COLUMN|SCHEMA|DATABASE)\b/i);
      expect(sql, f).not.toMatch(/^\s*(TRUNCATE|DELETE\s+FROM)\b/im);
    }
  });
});
