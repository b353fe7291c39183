// The database itself keeps releases and template revisions immutable: raw SQL UPDATE, DELETE and
// TRUNCATE are rejected by the trigger, whatever the application code does.
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../test/harness.js';
import { insertToken } from './tokens.js';
import { saveTemplateRevision, resolveTemplate } from './templates.js';
import { insertRelease } from './releases.js';

const db = useTestDatabase();

async function seed() {
  const { db: d } = db.database;
  const token = await insertToken(d, { name: 'seed', role: 'releaser', scopes: [], tokenHash: crypto.randomUUID(), createdBy: 'test' });
  const template = await d.transaction((tx) =>
    saveTemplateRevision(tx, {
      key: 'default',
      document: { core: { api: { Deployment: { containers: { api: { repo: 'org/api', tag: '<T>' } } } } } },
      digest: `d-${crypto.randomUUID()}`,
      createdBy: 'seed',
      createdByTokenId: token.id,
    }),
  );
  const { row } = await insertRelease(d, {
    id: crypto.randomUUID(),
    productVersion: '1.0.0',
    templateKey: 'default',
    templateRevision: template.row.revision,
    descriptor: { core: { api: { Deployment: { containers: { api: { repo: 'org/api', tag: '1' } } } } } },
    digest: 'sha256:x',
    overrides: [],
    createdBy: 'seed',
    createdByTokenId: token.id,
    idempotencyKey: null,
    requestDigest: 'sha256:r',
  });
  return { release: row, template: template.row };
}

describe('immutability (raw SQL)', () => {
  it('rejects UPDATE, DELETE and TRUNCATE on releases', async () => {
    const { sql } = db.database;
    const { release } = await seed();
    await expect(sql`update releases set digest = 'sha256:forged' where id = ${release.id}`).rejects.toThrow(/immutable/);
    await expect(sql`update releases set descriptor = '{}'::jsonb`).rejects.toThrow(/immutable/);
    await expect(sql`delete from releases where id = ${release.id}`).rejects.toThrow(/immutable/);
    await expect(sql`truncate releases cascade`).rejects.toThrow(/immutable/);
    const [row] = await sql`select digest, descriptor from releases where id = ${release.id}`;
    expect(row?.digest).toBe('sha256:x');
  });

  it('rejects UPDATE and DELETE on template revisions', async () => {
    const { sql } = db.database;
    await seed();
    await expect(sql`update templates set document = '{}'::jsonb`).rejects.toThrow(/immutable/);
    await expect(sql`delete from templates`).rejects.toThrow(/immutable/);
  });
});

describe('templates data access', () => {
  it('appends revisions and resolves the first key of the chain that exists', async () => {
    const { db: d } = db.database;
    const doc = { core: { api: { Deployment: { containers: { api: { repo: 'org/api', tag: '1' } } } } } };
    const save = (key: string, digest: string) =>
      d.transaction((tx) => saveTemplateRevision(tx, { key, document: doc, digest, createdBy: 't', createdByTokenId: null }));
    expect((await save('3.1.0', 'a')).row.revision).toBe(1);
    expect((await save('3.1.0', 'b')).row.revision).toBe(2);
    expect(await save('3.1.0', 'b')).toMatchObject({ created: false, row: { revision: 2 } });
    expect(await resolveTemplate(d, { chain: ['3.1.4', '3.1.0', 'default'] })).toMatchObject({ key: '3.1.0', revision: 2 });
    expect(await resolveTemplate(d, { chain: ['9.9.9', '9.9.0'] })).toBeUndefined();
  });

  it('numbers concurrent saves of one key without collisions', async () => {
    const { db: d } = db.database;
    const doc = { core: { api: { Deployment: { containers: { api: { repo: 'org/api', tag: '1' } } } } } };
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        d.transaction((tx) =>
          saveTemplateRevision(tx, { key: '4.0.0', document: doc, digest: `c${i}`, createdBy: 't', createdByTokenId: null }),
        ),
      ),
    );
    expect(results.map((r) => r.row.revision).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});
