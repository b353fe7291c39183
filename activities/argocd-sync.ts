// Step "argocd-sync": syncs every application to exactly the pushed commit SHA (never the branch), tagged
// with this promotion in `infos`. Idempotent: an application whose current or last operation is already
// ours for this SHA is not synced again. "Another operation is already in progress" is retried by Temporal.
// Auto-sync mode (environment `argocd.syncMode`, or `detect` with an automated sync policy): no sync is sent,
// Argo's own automated operation (started by the refresh that found our commit) is what the wait step judges.
// A multi-source application is synced per source: the sources reading the environment's repository go to the
// SHA (`revisions` + `sourcePositions`), the others stay at their targetRevision (integrations/argocd-sources.ts).
// Every application is synced at once (the results keep the applications' order).
// A sync window that refuses the sync (on any cluster: the failure names it) ends the attempt as SyncWindowBlocked,
// saying when it should open (activities/sync-window.ts): the workflow waits for it and runs the step again.
import type { ActivityDeps } from './deps.js';
import {
  loadContext,
  recordedStep,
  writtenSourcesOf,
  type PromotionContext,
  type StepOutcome,
  type StepInput,
} from './promotion-context.js';
import { onCluster, targetApplications, type TargetApp } from './promotion-targets.js';
import { eachApplication } from './argocd-refresh.js';
import { usesAutomatedSync } from '../integrations/argocd-selection.js';
import { SyncWindowBlockedError, type Application } from '../integrations/argocd.js';
import { describeSource, isMultiSource } from '../integrations/argocd-sources.js';
import { syncWindowFailure, windowBlock } from './sync-window.js';
import { PROMOTION_INFO_NAME } from '../integrations/argocd-convergence.js';
import { ApplicationFailure } from '@temporalio/activity';
import { FAILURE, STEP, type StepName } from '../domain/promotion.js';

export interface ArgocdSyncInput extends StepInput {
  sha: string;
  /** Identifies the operation; default the deployment id (`<id>:revert` for an abort's revert). */
  promotionId?: string;
  recordStep?: boolean;
  /** The history row to record into (default argocd-sync; revert-sync for an abort's revert). */
  step?: StepName;
}
export interface ArgocdSyncResult extends StepOutcome {
  synced: string[];
  alreadyOurs: string[];
  /** Left to Argo CD's automated sync (auto-sync mode): no sync request sent. */
  automated?: string[];
}

export function promotionIdOf(input: { deploymentId: number; promotionId?: string }): string {
  return input.promotionId ?? String(input.deploymentId);
}

/**
 * Is this application's pending operation, or its last one that did not fail, our sync of `sha` (tagged with
 * `promotionId` in `info`)? Then a retried step must not sync again. A multi-source app's operation is ours when
 * every written source (`sources`, 0-based) has `sha` in its `revisions[]`.
 */
export function isOurs(app: Application, sha: string, promotionId: string, sources: readonly number[] = [0]): boolean {
  const mine = (info: Array<{ name: string; value: string }> | null | undefined) =>
    (info ?? []).some((i) => i.name === PROMOTION_INFO_NAME && i.value === promotionId);
  const atSha = (r: { revision?: string; revisions?: string[] | null } | undefined) =>
    isMultiSource(app) ? sources.every((i) => r?.revisions?.[i] === sha) : r?.revision === sha;
  if (app.operation && atSha(app.operation.sync) && mine(app.operation.info)) return true;
  const op = app.status?.operationState;
  return !!op && op.phase !== 'Failed' && op.phase !== 'Error' && atSha(op.syncResult) && mine(op.operation.info);
}

type AppSync = { kind: 'automated' | 'alreadyOurs' } | { kind: 'synced'; partial?: string };

/** Syncs one application (its state `known` from a refresh just before, else read now). */
async function syncApplication(
  deps: ActivityDeps,
  ctx: PromotionContext,
  input: ArgocdSyncInput,
  { name, label, target }: TargetApp,
  known: Application | undefined,
): Promise<AppSync> {
  const argo = target.argo();
  const { app, sources } = await onCluster(target, async () => {
    const app = known ?? (await argo.getApplication(name, { project: target.argocd.project }));
    return { app, sources: writtenSourcesOf(app, ctx.environment) };
  });
  if (usesAutomatedSync(target, app)) return { kind: 'automated' };
  // A cluster already on our operation is not synced again.
  if (isOurs(app, input.sha, promotionIdOf(input), sources)) return { kind: 'alreadyOurs' };
  // Multi-source: only the written sources move to our commit; Argo keeps the others at targetRevision.
  const multi = isMultiSource(app);
  await onCluster(target, () =>
    argo
      .sync(name, {
        revision: input.sha,
        ...(multi ? { sourcePositions: sources.map((i) => i + 1) } : {}),
        prune: true,
        infos: [{ name: PROMOTION_INFO_NAME, value: promotionIdOf(input) }],
        syncOptions: ['ApplyOutOfSyncOnly=true'],
      })
      .catch(async (err: unknown) => {
        if (!(err instanceof SyncWindowBlockedError)) throw err;
        const block = await windowBlock(argo, { application: name, project: target.argocd.project, manual: true });
        // The window opened between the refusal and the read: an ordinary retry syncs.
        if (!block) throw ApplicationFailure.retryable(`${err.message} (open again now)`, FAILURE.argoCdTransient);
        throw syncWindowFailure(deps, block, { manual: true, cluster: target.name });
      }),
  );
  return { kind: 'synced', ...(multi ? { partial: `${label}: ${sources.map((i) => describeSource(app, i)).join(', ')}` } : {}) };
}

/**
 * Syncs the applications (every cluster of the environment, all at once); `known` holds states a refresh has
 * just read (by label), which then need no second read for the idempotency check.
 */
export async function syncApplications(
  deps: ActivityDeps,
  ctx: PromotionContext,
  input: ArgocdSyncInput,
  apps: readonly TargetApp[],
  known?: ReadonlyMap<string, Application>,
): Promise<ArgocdSyncResult> {
  const outcomes = await eachApplication(apps, (app) => syncApplication(deps, ctx, input, app, known?.get(app.label)));
  const labels = (kind: AppSync['kind']) => apps.filter((_, i) => outcomes[i]?.kind === kind).map((a) => a.label);
  const synced = labels('synced');
  const alreadyOurs = labels('alreadyOurs');
  const automated = labels('automated');
  const partial = outcomes.flatMap((o) => (o.kind === 'synced' && o.partial ? [o.partial] : []));
  const waiting = `waiting for Argo CD's automated sync to ${input.sha.slice(0, 12)}: ${automated.join(', ')}`;
  const requested =
    `sync to ${input.sha.slice(0, 12)} requested for ${synced.join(', ') || 'none'}` +
    (partial.length ? ` (multi-source, written sources only: ${partial.join('; ')})` : '') +
    (alreadyOurs.length ? `; already ours: ${alreadyOurs.join(', ')}` : '');
  return {
    status: synced.length === 0 ? ('skipped' as const) : ('succeeded' as const),
    message: automated.length === 0 ? requested : synced.length + alreadyOurs.length === 0 ? waiting : `${requested}; ${waiting}`,
    synced,
    alreadyOurs,
    ...(automated.length > 0 ? { automated } : {}),
  };
}

/** The history row a sync records into, and whether it records at all. */
export function syncStepOf(input: ArgocdSyncInput): { deploymentId: number; step: StepName; record: boolean; holds?: boolean } {
  return {
    deploymentId: input.deploymentId,
    step: input.step ?? STEP.argocdSync,
    record: input.recordStep ?? !input.promotionId,
    holds: input.checkHolds,
  };
}

export function createArgocdSync(deps: ActivityDeps) {
  return {
    async argocdSync(input: ArgocdSyncInput): Promise<ArgocdSyncResult> {
      return recordedStep(deps, syncStepOf(input), async () => {
        const ctx = await loadContext(deps, input.deploymentId);
        return syncApplications(deps, ctx, input, await targetApplications(deps, ctx));
      });
    },
  };
}
