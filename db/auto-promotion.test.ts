// Auto-promotion's decision on the database (db/auto-promotion.ts, db/auto-promotion-look.ts, db/queue.ts): the
// upstream query never hides an eligible release behind newer soaking ones (more than any fixed page of them), skips
// excluded releases, and the queue ends auto-promotion's own record `superseded` (not failed: still eligible) while held.
import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { useTestDatabase } from '../test/harness.js';
import { seedDeployment } from '../test/db-seed.js';
import { insertRelease } from './releases.js';
import { insertDeployment, type DeploymentRow } from './deployments.js';
import { getEnvironment, upsertEnvironment } from './environments.js';
import { holdAutoPromotion, upstreamReleases } from './auto-promotion.js';
import { lookAtAutoPromotion } from './auto-promotion-look.js';
import { judgeQueued } from './queue.js';
import { rejectRelease } from './holds.js';
import { EnvironmentConfig } from '../domain/environment.js';
import { AUTO_PROMOTION_INITIATOR } from '../domain/auto-promotion.js';
import { STEPS } from '../domain/promotion.js';

const db = useTestDatabase();

const config = (extra: Record<string, unknown>) =>
  EnvironmentConfig.parse({
    displayOrder: 1,
    gitops: { repoUrl: 'file:///tmp/none', branch: 'main' },
    argocd: { serverUrl: 'http://127.0.0.1:1', tokenRef: 'env:T' },
    kubernetes: { server: 'http://127.0.0.1:2', namespace: 'apps', tokenRef: 'env:T' },
    ...extra,
  });

describe('auto-promotion on the database', () => {
  it('finds the newest eligible release behind 30 soaking ones, skips excluded ones, and a hold supersedes its queued record', async () => {
    const d = db.database.db;
    const up = `up-${Date.now().toString(36)}`;
    const target = `tg-${Date.now().toString(36)}`;
    const { release: first } = await seedDeployment(db.database, `seed-${up}`);
    await d.transaction((tx) => upsertEnvironment(tx, { name: up, config: config({}) }));
    await d.transaction((tx) =>
      upsertEnvironment(tx, { name: target, config: config({ upstream: [up], autoPromote: { from: up, soakSeconds: 3600 } }) }),
    );
    // 40 releases, one every 2 minutes upstream: r0 became current 80 minutes ago, r39 2 minutes ago. With a 1-hour
    // soak r0…r10 are due and the 29 newer ones soak.
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const { row } = await insertRelease(d, {
        id: crypto.randomUUID(),
        productVersion: `1.0.${i}`,
        templateKey: first.templateKey,
        templateRevision: first.templateRevision,
        descriptor: first.descriptor,
        digest: `sha256:${i}`,
        overrides: [],
        createdBy: 'seed',
        createdByTokenId: first.createdByTokenId,
        idempotencyKey: null,
        requestDigest: `sha256:r${i}`,
      });
      ids.push(row.id);
      await deployed(up, row.id, 'succeeded', 80 - 2 * i);
    }
    const look = async () => lookAtAutoPromotion(d, (await getEnvironment(d, { name: target }))!);
    expect(await look()).toMatchObject({ state: 'ready', release: { releaseId: ids[10] } });

    // Exclusions: rejected; rolled back upstream after its success there; started and failed in the target. A record
    // that never started (failed in the queue) does not exclude.
    await d.transaction((tx) => rejectRelease(tx, { releaseId: ids[10]!, reason: 'CVE', actor: { name: 'sec', tokenId: null } }));
    expect(await look()).toMatchObject({ release: { releaseId: ids[9] } });
    await deployed(up, ids[8]!, 'succeeded', 1, { previousReleaseId: ids[9]!, isRollback: true });
    expect(await look()).toMatchObject({ release: { releaseId: ids[8] } });
    await deployed(target, ids[8]!, 'failed', 0);
    expect(await look()).toMatchObject({ release: { releaseId: ids[7] } });
    await deployed(target, ids[7]!, 'failed', 0, { started: false });
    const ready = await look();
    expect(ready).toMatchObject({ state: 'ready', release: { releaseId: ids[7] } });
    const listed = await upstreamReleases(d, { from: up, target, currentSeq: null });
    expect(listed.map((r) => r.releaseId)).not.toEqual(expect.arrayContaining([ids[8], ids[9], ids[10]]));

    // Its queued record, then a hold: the queue ends it superseded, and the release stays the candidate.
    const queued = await d.transaction(async (tx) => {
      const r = await insertDeployment(tx, {
        environment: target,
        releaseId: ids[7]!,
        previousReleaseId: null,
        isRollback: false,
        startedBy: AUTO_PROMOTION_INITIATOR,
        startedByTokenId: null,
        reason: 'auto',
        workflowId: `promote:${target}`,
        steps: STEPS,
        queued: true,
      });
      if (!('created' in r)) throw new Error('conflict');
      return r.created;
    });
    expect(await look()).toMatchObject({ state: 'promoting', deployment: { id: queued.id } });
    await d.transaction((tx) => holdAutoPromotion(tx, { environment: target, reason: 'manual', actor: { name: 'alice', tokenId: null } }));
    const judged = await d.transaction((tx) => judgeQueued(tx, { deploymentId: queued.id }));
    expect(judged).toMatchObject({
      verdict: 'ended',
      deployment: { status: 'superseded', message: expect.stringContaining('held by alice') },
    });
    expect(await look()).toMatchObject({ state: 'held' });
    await d.execute(sql`update auto_promotion_holds set resumed_at = now() where environment = ${target}`);
    expect(await look()).toMatchObject({ state: 'ready', release: { releaseId: ids[7] } });
  });
});

/** A deployment of `releaseId` in `environment` that ended `status` `minutesAgo` (walked through the lifecycle). */
async function deployed(
  environment: string,
  releaseId: string,
  status: 'succeeded' | 'failed',
  minutesAgo: number,
  opts: { previousReleaseId?: string; isRollback?: boolean; started?: boolean } = {},
): Promise<DeploymentRow> {
  const d = db.database.db;
  const row = await d.transaction(async (tx) => {
    const r = await insertDeployment(tx, {
      environment,
      releaseId,
      previousReleaseId: opts.previousReleaseId ?? null,
      isRollback: opts.isRollback ?? false,
      startedBy: 'seed',
      startedByTokenId: null,
      reason: null,
      workflowId: `promote:${environment}`,
      steps: STEPS,
    });
    if (!('created' in r)) throw new Error('conflict');
    return r.created;
  });
  const at = sql`now() - make_interval(mins => ${minutesAgo})`;
  if (opts.started === false) {
    await d.execute(sql`update deployments set status = 'failed', finished_at = ${at} where id = ${row.id}`);
  } else {
    await d.execute(sql`update deployments set status = 'running', started_at = ${at} where id = ${row.id}`);
    await d.execute(sql`update deployments set status = ${status}, finished_at = ${at} where id = ${row.id}`);
  }
  return row;
}
