// History the database itself keeps honest (security audit findings 1, 10, 15): a record never leaves a terminal
// status (raw SQL included), a transition is applied once per idempotency key, and the application's role cannot
// switch the immutability triggers off or rewrite append-only tables.
import { describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { useTestDatabase } from '../test/harness.js';
import { seedDeployment } from '../test/db-seed.js';
import { applyTransition, recordSuccess, RecordEndedError } from './deployments.js';

const db = useTestDatabase();

/** Drizzle wraps the database error ("Failed query: …"); the reason is in its cause. */
async function refused(p: Promise<unknown>, reason: RegExp): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e as Error & { cause?: Error },
  );
  expect(err, 'the statement should have been refused').toBeDefined();
  expect(`${err?.message} ${err?.cause?.message ?? ''}`).toMatch(reason);
}

describe('deployment lifecycle in SQL', () => {
  it('the trigger refuses failed/aborted -> succeeded and any move out of a terminal status, whatever the code does', async () => {
    const { db: d } = db.database;
    const { deployment } = await seedDeployment(db.database, 'life');
    await d.execute(sql`update deployments set status = 'running' where id = ${deployment.id}`);
    await d.execute(sql`update deployments set status = 'failed' where id = ${deployment.id}`);
    for (const to of ['succeeded', 'running', 'pending', 'aborted']) {
      await refused(
        d.execute(sql.raw(`update deployments set status = '${to}' where id = ${deployment.id}`)),
        /not a transition|has ended/,
      );
    }
    await refused(d.execute(sql`update deployments set commit_sha = 'abc' where id = ${deployment.id}`), /has ended/);
    await refused(d.execute(sql`update deployments set release_id = gen_random_uuid() where id = ${deployment.id}`), /identity/);
    await refused(d.execute(sql`delete from deployments where id = ${deployment.id}`), /immutable/);
    await refused(d.execute(sql`update audit_events set actor = 'someone else'`), /immutable/);
    // And the code refuses too: recordSuccess never turns a failed record into a success.
    await expect(d.transaction((tx) => recordSuccess(tx, { deploymentId: deployment.id, sha: 'f'.repeat(40) }))).rejects.toBeInstanceOf(
      RecordEndedError,
    );
    const [row] = await d.execute(sql`select status from deployments where id = ${deployment.id}`);
    expect(row?.status).toBe('failed');
  });
});

describe('exactly-once transitions', () => {
  it('a retried transition with the same key appends no second action and no second audit event', async () => {
    const { db: d } = db.database;
    const { deployment } = await seedDeployment(db.database, 'once');
    const t = {
      deploymentId: deployment.id,
      key: 'run-1:7',
      action: { action: 'approve' as const, by: 'alice', tokenId: crypto.randomUUID() },
    };
    await d.transaction((tx) => applyTransition(tx, t));
    await d.transaction((tx) => applyTransition(tx, t));
    const [row] = await d.execute<{ n: number }>(sql`select jsonb_array_length(actions) as n from deployments where id = ${deployment.id}`);
    expect(row?.n).toBe(2); // start + one approve
    const events = await d.execute(
      sql`select actor_token_id from audit_events where subject_id = ${String(deployment.id)} and action = 'deployment.approve'`,
    );
    expect(events).toHaveLength(1);
    expect(events[0]?.actor_token_id).toBe(t.action.tokenId);
  });
});

describe('the application role flow_controller_app', () => {
  it('is neither owner nor superuser: it cannot disable or drop triggers, nor rewrite releases or the audit trail', async () => {
    // Connected as that role (a login password set here, as dev/migrate-cli.ts does with FC_APP_DB_PASSWORD).
    const password = `pw-${crypto.randomUUID()}`;
    await db.database.db.execute(sql.raw(`alter role flow_controller_app login password '${password}'`));
    const url = new URL(db.url);
    url.username = 'flow_controller_app';
    url.password = password;
    const app = postgres(url.toString(), { max: 1, onnotice: () => undefined });
    try {
      const [me] = await app`select rolsuper, current_user as who from pg_roles where rolname = current_user`;
      expect(me).toEqual({ rolsuper: false, who: 'flow_controller_app' });
      await expect(app`alter table releases disable trigger all`).rejects.toThrow(/must be owner/);
      await expect(app`drop trigger releases_immutable on releases`).rejects.toThrow(/must be owner/);
      await expect(app`drop trigger deployments_lifecycle on deployments`).rejects.toThrow(/must be owner/);
      await expect(app`set session_replication_role = replica`).rejects.toThrow(/permission denied/);
      await expect(app`update releases set product_version = 'x'`).rejects.toThrow(/permission denied/);
      await expect(app`delete from releases`).rejects.toThrow(/permission denied/);
      await expect(app`update audit_events set actor = 'x'`).rejects.toThrow(/permission denied/);
      await expect(app`delete from audit_events`).rejects.toThrow(/permission denied/);
      await expect(app`update templates set digest = 'x'`).rejects.toThrow(/permission denied/);
      await expect(app`delete from deployments`).rejects.toThrow(/permission denied/);
      // The event log is written by triggers only: the role reads it but can neither forge nor erase an event.
      await expect(app`insert into events (type, data) values ('deployment', '{}')`).rejects.toThrow(/permission denied/);
      await expect(app`select fc_emit_event('deployment', null, null, null, '{}')`).rejects.toThrow(/permission denied/);
      await expect(app`delete from events`).rejects.toThrow(/permission denied/);
      await expect(app`update events set type = 'x'`).rejects.toThrow(/permission denied/);
      await app`select count(*) from events`;
      // What the application needs still works.
      await app`select count(*) from deployments`;
      await app`insert into audit_events (actor, action, subject_type, subject_id) values ('t', 'test.ping', 'test', '1')`;
    } finally {
      await app.end({ timeout: 5 });
    }
  });
});
