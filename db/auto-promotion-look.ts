// One look at an environment's auto-promotion (docs/governance.md "Auto-promotion"): everything that decides whether
// it starts a promotion now — configuration, hold, a promotion of its own in flight, the upstream candidate and its
// soak (domain/auto-promotion.ts), the environment's promotion rules, pauses and freezes — read on the database's
// clock. The worker's look acts on `ready`; the API shows the same state.
import { eq, sql } from 'drizzle-orm';
import type { Tx } from './client.js';
import type { DeploymentRow } from './deployments.js';
import { succeededEnvironments } from './deployments.js';
import type { EnvironmentRow } from './environments.js';
import { verifiedEnvironments } from './verifications.js';
import { holdMessage, holdsOn } from './holds.js';
import { freezeWindowOf, listFreezeWindows } from './freezes.js';
import { autoPromotionHold, autoPromotionInFlight, upstreamReleases, type AutoPromotionHoldRow } from './auto-promotion.js';
import { releases } from './schema.js';
import { checkPromotionRules } from '../domain/environment.js';
import { freezeStateAt, nextOpenAt } from '../domain/freeze.js';
import { chooseAutoPromotion, type AutoPromoteConfig, type UpstreamRelease } from '../domain/auto-promotion.js';

export type AutoPromotionLook =
  | { state: 'off' }
  | { state: 'held'; hold: AutoPromotionHoldRow }
  | { state: 'promoting'; deployment: DeploymentRow }
  | { state: 'idle'; message: string }
  | { state: 'soaking'; release: UpstreamRelease; eligibleAt: Date; message: string }
  | { state: 'blocked' | 'paused'; release: UpstreamRelease; eligibleAt: Date; message: string }
  | { state: 'frozen'; release: UpstreamRelease; eligibleAt: Date; message: string; nextOpenAt: Date | null }
  | { state: 'ready'; release: UpstreamRelease; eligibleAt: Date; message: string; config: AutoPromoteConfig };

export async function lookAtAutoPromotion(tx: Tx, env: EnvironmentRow): Promise<AutoPromotionLook> {
  const config = env.autoPromote;
  if (!config) return { state: 'off' };
  const hold = await autoPromotionHold(tx, { environment: env.name });
  if (hold) return { state: 'held', hold };
  const inFlight = await autoPromotionInFlight(tx, { environment: env.name });
  if (inFlight) return { state: 'promoting', deployment: inFlight };

  let currentSeq: number | null = null;
  if (env.currentReleaseId) {
    const [current] = await tx.select({ seq: releases.seq }).from(releases).where(eq(releases.id, env.currentReleaseId));
    currentSeq = current?.seq ?? null;
  }
  const [clock] = await tx.execute<{ now: Date | string }>(sql`select now() as now`);
  const now = new Date(clock?.now ?? Date.now());
  const upstream = await upstreamReleases(tx, { from: config.from, target: env.name, currentSeq });
  const choice = chooseAutoPromotion({ config, currentSeq, upstream, now });
  if (choice.kind === 'none') return { state: 'idle', message: choice.reason };
  const { release, eligibleAt } = choice;
  const named = `release ${release.releaseId} (${release.productVersion})`;
  if (choice.kind === 'soaking') {
    return { state: 'soaking', release, eligibleAt, message: `${named} soaks in ${config.from} until ${eligibleAt.toISOString()}` };
  }
  // The environment's own promotion rules (every upstream, verified where required), as a promote request checks them.
  const violation = checkPromotionRules({
    environment: env.name,
    releaseId: release.releaseId,
    currentReleaseId: env.currentReleaseId,
    upstream: env.upstream,
    succeededIn: await succeededEnvironments(tx, { releaseId: release.releaseId }),
    upstreamRequires: env.upstreamRequires,
    ...(env.upstreamRequires === 'verified' ? { verifiedIn: await verifiedEnvironments(tx, { releaseId: release.releaseId }) } : {}),
  });
  if (violation) return { state: 'blocked', release, eligibleAt, message: `${named}: ${violation.code}: ${violation.message}` };
  const holds = await holdsOn(tx, { releaseId: release.releaseId, environment: env.name });
  if (holds.pauses.length > 0) return { state: 'paused', release, eligibleAt, message: `${named} waits: ${holdMessage(holds)}` };
  const windows = (await listFreezeWindows(tx, { environment: env.name })).map(freezeWindowOf);
  const frozen = freezeStateAt(windows, now.getTime());
  if (frozen.frozen) {
    const open = nextOpenAt(windows, now.getTime());
    const reasons = frozen.blocks.map((b) => b.reason).join('; ');
    return {
      state: 'frozen',
      release,
      eligibleAt,
      nextOpenAt: open === null ? null : new Date(open),
      message: `${named} waits: ${env.name} is frozen (${reasons})${open === null ? '' : ` until ${new Date(open).toISOString()}`}`,
    };
  }
  const ruleText = config.when === 'verified' ? `verified in ${config.from}` : `succeeded in ${config.from}`;
  return {
    state: 'ready',
    release,
    eligibleAt,
    config,
    message: `${named} ${ruleText} since ${release.becameCurrentAt.toISOString()}, soaked ${config.soakSeconds} s`,
  };
}
