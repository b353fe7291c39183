// One look at an environment's auto-promotion (docs/governance.md "Auto-promotion"): everything that decides whether
// it starts a promotion now — configuration, hold, a promotion of its own in flight, the upstream candidate and its
// soak (domain/auto-promotion.ts), the environment's promotion rules, pauses and freezes — read on the database's
// clock. The worker's look acts on `ready`; the API shows the same state.
import { eq, sql } from 'drizzle-orm';
import type { Tx } from './client.js';
import type { DeploymentRow } from './deployments.js';
import type { EnvironmentRow } from './environments.js';
import { holdMessage, holdsOn } from './holds.js';
import { freezeWindowOf, listFreezeWindows } from './freezes.js';
import { promotionRuleViolation } from './promotion-rules.js';
import { autoPromotionHold, promotionInFlight, upstreamReleases, type AutoPromotionHoldRow } from './auto-promotion.js';
import { releases } from './schema.js';
import { freezeStateAt, nextOpenAt } from '../domain/freeze.js';
import {
  AUTO_PROMOTION_INITIATOR,
  chooseAutoPromotion,
  eligibleAtOf,
  type AutoPromoteConfig,
  type UpstreamRelease,
} from '../domain/auto-promotion.js';

export type AutoPromotionLook = { now: Date } & (
  | { state: 'off' }
  | { state: 'held'; hold: AutoPromotionHoldRow }
  | { state: 'promoting'; deployment: DeploymentRow; hold: AutoPromotionHoldRow | null }
  | { state: 'busy'; deployment: DeploymentRow }
  | { state: 'idle'; message: string }
  | { state: 'soaking'; release: UpstreamRelease; eligibleAt: Date; message: string }
  | { state: 'blocked' | 'paused'; release: UpstreamRelease; eligibleAt: Date; message: string }
  | { state: 'frozen'; release: UpstreamRelease; eligibleAt: Date; message: string; nextOpenAt: Date | null }
  | { state: 'ready'; release: UpstreamRelease; eligibleAt: Date; message: string; config: AutoPromoteConfig }
);

export async function lookAtAutoPromotion(tx: Tx, env: EnvironmentRow): Promise<AutoPromotionLook> {
  const [clock] = await tx.execute<{ now: Date | string }>(sql`select now() as now`);
  const now = new Date(clock?.now ?? Date.now());
  // Its own promotion first, whatever the rule says now: the caller keeps its waiter alive until the queue ends it.
  const inFlight = await promotionInFlight(tx, { environment: env.name });
  const hold = (await autoPromotionHold(tx, { environment: env.name })) ?? null;
  if (inFlight?.startedBy === AUTO_PROMOTION_INITIATOR) return { now, state: 'promoting', deployment: inFlight, hold };
  const config = env.autoPromote;
  if (!config) return { now, state: 'off' };
  if (hold) return { now, state: 'held', hold };
  // A person's promotion is active or queued: auto-promotion waits for it (it never queues behind or against one).
  if (inFlight) return { now, state: 'busy', deployment: inFlight };

  let currentSeq: number | null = null;
  if (env.currentReleaseId) {
    const [current] = await tx.select({ seq: releases.seq }).from(releases).where(eq(releases.id, env.currentReleaseId));
    currentSeq = current?.seq ?? null;
  }
  const upstream = await upstreamReleases(tx, { from: config.from, target: env.name, currentSeq });
  // The environment's own promotion rules (every upstream, verified where required), as a promote request checks them,
  // for the releases due now, newest first until one passes: a blocked newest one does not hide an older good one.
  let blocked: { release: UpstreamRelease; message: string } | undefined;
  const judged: UpstreamRelease[] = [];
  let passed = false;
  for (const release of upstream) {
    const due = (config.when === 'succeeded' || release.verified) && eligibleAtOf(release, config.soakSeconds) <= now;
    if (!due || passed) {
      judged.push(release);
      continue;
    }
    const violation = await promotionRuleViolation(tx, env, release.releaseId);
    if (violation) {
      const message = `release ${release.releaseId} (${release.productVersion}): ${violation.code}: ${violation.message}`;
      blocked ??= { release, message };
      judged.push({ ...release, excluded: message });
    } else {
      passed = true;
      judged.push(release);
    }
  }
  const choice = chooseAutoPromotion({ config, currentSeq, upstream: judged, now });
  if (choice.kind === 'none') {
    if (blocked) return { now, state: 'blocked', ...blocked, eligibleAt: eligibleAtOf(blocked.release, config.soakSeconds) };
    return { now, state: 'idle', message: choice.reason };
  }
  const { release, eligibleAt } = choice;
  const named = `release ${release.releaseId} (${release.productVersion})`;
  if (choice.kind === 'soaking') {
    const message = blocked?.message ?? `${named} soaks in ${config.from} until ${eligibleAt.toISOString()}`;
    return { now, state: blocked ? 'blocked' : 'soaking', release, eligibleAt, message };
  }
  const holds = await holdsOn(tx, { releaseId: release.releaseId, environment: env.name });
  if (holds.pauses.length > 0) return { now, state: 'paused', release, eligibleAt, message: `${named} waits: ${holdMessage(holds)}` };
  const windows = (await listFreezeWindows(tx, { environment: env.name })).map(freezeWindowOf);
  const frozen = freezeStateAt(windows, now.getTime());
  if (frozen.frozen) {
    const open = nextOpenAt(windows, now.getTime());
    const reasons = frozen.blocks.map((b) => b.reason).join('; ');
    return {
      now,
      state: 'frozen',
      release,
      eligibleAt,
      nextOpenAt: open === null ? null : new Date(open),
      message: `${named} waits: ${env.name} is frozen (${reasons})${open === null ? '' : ` until ${new Date(open).toISOString()}`}`,
    };
  }
  const rule = config.when === 'verified' ? `verified in ${config.from}` : `succeeded in ${config.from}`;
  return {
    now,
    state: 'ready',
    release,
    eligibleAt,
    config,
    message: `${named} ${rule}, current there since ${release.becameCurrentAt.toISOString()}, eligible since ${eligibleAt.toISOString()} (soak ${config.soakSeconds} s)`,
  };
}
