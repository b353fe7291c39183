// Step "argocd-wait": polls every application until the contract's convergence algorithm says our commit
// has converged (integrations/argocd-convergence.ts). Heartbeats its last observation (visible in the
// Temporal UI, resumed after a worker crash) and writes it to the history record. `Degraded` and failed
// operations end the step at once with Argo's message; the environment's deadline bounds the wait.
import { activityInfo, ApplicationFailure, heartbeat, sleep } from '@temporalio/activity';
import type { ActivityDeps } from './deps.js';
import { argoClientFor, hook, loadContext, recordedStep, toFailure, type StepOutcome } from './promotion-context.js';
import { assessConvergence, type ConvergenceResult } from '../integrations/argocd-convergence.js';
import { markStepProgress } from '../db/deployments.js';
import { promotionIdOf } from './argocd-sync.js';
import { FAILURE, STEP } from '../domain/promotion.js';

export interface ArgocdWaitInput {
  deploymentId: number;
  sha: string;
  /** Absolute deadline (workflow time) of the convergence. */
  deadlineAtMs: number;
  promotionId?: string;
  recordStep?: boolean;
}
export interface AppObservation {
  name: string;
  state: ConvergenceResult['state'];
  clause: ConvergenceResult['clause'];
  reason: string;
  health?: string;
  sync?: string;
}
export interface ArgocdWaitResult extends StepOutcome {
  polls: number;
  applications: AppObservation[];
}

export function createArgocdWait(deps: ActivityDeps) {
  const pollMs = deps.pollIntervalMs ?? 1000;
  return {
    async argocdWait(input: ArgocdWaitInput): Promise<ArgocdWaitResult> {
      const record = input.recordStep ?? true;
      return recordedStep(deps, { deploymentId: input.deploymentId, step: STEP.argocdWait, record }, async () => {
        const ctx = await loadContext(deps, input.deploymentId);
        const argo = argoClientFor(deps, ctx.environment);
        const promotionId = promotionIdOf(input);
        const observations = new Map<string, AppObservation>();
        const needRefresh = new Set<string>();
        let polls = Number((activityInfo().heartbeatDetails as { polls?: number } | undefined)?.polls ?? 0);
        let lastRecorded = 0;
        for (;;) {
          polls++;
          let transient: string | undefined;
          for (const { name } of ctx.applications) {
            if (observations.get(name)?.state === 'converged') continue;
            try {
              const app = await argo.getApplication(name, {
                project: ctx.environment.argocd.project,
                ...(needRefresh.has(name) ? { refresh: 'normal' as const } : {}),
              });
              const r = assessConvergence(app, { sha: input.sha, promotionId, acceptNewerBranchRevision: true });
              observations.set(name, {
                name,
                state: r.state,
                clause: r.clause,
                reason: r.reason,
                health: r.observation.health,
                sync: r.observation.syncStatus,
              });
              if (r.refresh) needRefresh.add(name);
              else needRefresh.delete(name);
              if (r.state === 'failed') {
                throw ApplicationFailure.nonRetryable(`${name}: ${r.reason}`, FAILURE.convergenceFailed, {
                  applications: [...observations.values()],
                });
              }
            } catch (err) {
              const failure = toFailure(err);
              if (failure instanceof ApplicationFailure && failure.nonRetryable) throw failure;
              transient = `${name}: ${failure.message}`; // keep polling through transient Argo CD errors
            }
          }
          const apps = [...observations.values()];
          const summary = apps.map((a) => `${a.name}: ${a.state === 'converged' ? 'converged' : a.reason}`).join('; ');
          heartbeat({ polls, applications: apps });
          await hook(deps, 'argocd-wait:polled', input.deploymentId);
          if (apps.length === ctx.applications.length && apps.every((a) => a.state === 'converged')) {
            return {
              status: 'succeeded' as const,
              message: `converged: ${apps.map((a) => a.name).join(', ')}`,
              observation: { applications: apps, polls },
              polls,
              applications: apps,
            };
          }
          if (record && Date.now() - lastRecorded > 2000) {
            lastRecorded = Date.now();
            await markStepProgress(deps.database.db, {
              deploymentId: input.deploymentId,
              step: STEP.argocdWait,
              message: transient ? `${summary} (last error: ${transient})` : summary,
              observation: { applications: apps, polls },
            });
          }
          if (Date.now() > input.deadlineAtMs) {
            throw ApplicationFailure.nonRetryable(
              `not converged within the deadline: ${summary || transient || 'no observation'}`,
              FAILURE.convergenceFailed,
              { applications: apps },
            );
          }
          await sleep(pollMs);
        }
      });
    },
  };
}
