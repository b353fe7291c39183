// Step "argocd-sync": syncs every application to exactly the pushed commit SHA (never the branch), tagged
// with this promotion in `infos`. Idempotent: an application whose current or last operation is already
// ours for this SHA is not synced again. "Another operation is already in progress" is retried by Temporal.
// Auto-sync mode (environment `argocd.syncMode`, or `detect` with an automated sync policy): no sync is sent,
// Argo's own automated operation (started by the refresh that found our commit) is what the wait step judges.
// A sync window that refuses the sync (on any cluster: the failure names it) ends the attempt as SyncWindowBlocked,
// saying when it should open (activities/sync-window.ts): the workflow waits for it and runs the step again.
import type { ActivityDeps } from './deps.js';
import { loadContext, recordedStep, type StepOutcome } from './promotion-context.js';
import { onCluster, targetApplications } from './promotion-targets.js';
import { usesAutomatedSync } from '../integrations/argocd-selection.js';
import { SyncWindowBlockedError, type Application } from '../integrations/argocd.js';
import { syncWindowFailure, windowBlock } from './sync-window.js';
import { PROMOTION_INFO_NAME } from '../integrations/argocd-convergence.js';
import { ApplicationFailure } from '@temporalio/activity';
import { FAILURE, STEP, type StepName } from '../domain/promotion.js';

export interface ArgocdSyncInput {
  deploymentId: number;
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
 * `promotionId` in `info`)? Then a retried step must not sync again.
 */
export function isOurs(app: Application, sha: string, promotionId: string): boolean {
  const mine = (info: Array<{ name: string; value: string }> | null | undefined) =>
    (info ?? []).some((i) => i.name === PROMOTION_INFO_NAME && i.value === promotionId);
  if (app.operation && app.operation.sync?.revision === sha && mine(app.operation.info)) return true;
  const op = app.status?.operationState;
  return !!op && op.phase !== 'Failed' && op.phase !== 'Error' && op.syncResult?.revision === sha && mine(op.operation.info);
}

export function createArgocdSync(deps: ActivityDeps) {
  return {
    async argocdSync(input: ArgocdSyncInput): Promise<ArgocdSyncResult> {
      return recordedStep(
        deps,
        { deploymentId: input.deploymentId, step: input.step ?? STEP.argocdSync, record: input.recordStep ?? !input.promotionId },
        async () => {
          const ctx = await loadContext(deps, input.deploymentId);
          const promotionId = promotionIdOf(input);
          const synced: string[] = [];
          const alreadyOurs: string[] = [];
          const automated: string[] = [];
          // Every cluster of the environment; a cluster already on our operation is not synced again.
          for (const { name, label, target } of await targetApplications(deps, ctx)) {
            const argo = target.argo();
            const app = await onCluster(target, () => argo.getApplication(name, { project: target.argocd.project }));
            if (usesAutomatedSync(target, app)) {
              automated.push(label);
              continue;
            }
            if (isOurs(app, input.sha, promotionId)) {
              alreadyOurs.push(label);
              continue;
            }
            await onCluster(target, () =>
              argo
                .sync(name, {
                  revision: input.sha,
                  prune: true,
                  infos: [{ name: PROMOTION_INFO_NAME, value: promotionId }],
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
            synced.push(label);
          }
          const waiting = `waiting for Argo CD's automated sync to ${input.sha.slice(0, 12)}: ${automated.join(', ')}`;
          const requested = `sync to ${input.sha.slice(0, 12)} requested for ${synced.join(', ') || 'none'}${alreadyOurs.length ? `; already ours: ${alreadyOurs.join(', ')}` : ''}`;
          return {
            status: synced.length === 0 ? ('skipped' as const) : ('succeeded' as const),
            message: automated.length === 0 ? requested : synced.length + alreadyOurs.length === 0 ? waiting : `${requested}; ${waiting}`,
            synced,
            alreadyOurs,
            ...(automated.length > 0 ? { automated } : {}),
          };
        },
      );
    },
  };
}
