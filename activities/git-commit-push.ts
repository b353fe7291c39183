// Step "git-commit-push": one commit on the environment branch with trailers naming release, environment
// and deployment. Idempotent: if the branch already carries this deployment's commit (a retry after a
// crash) or already holds exactly this state, nothing is pushed and the existing SHA is returned. A
// concurrent writer (non-fast-forward) is handled by gitops/repo.ts: fetch, re-render, retry. Auth and
// permission errors are not retried (GitAuthError / GitPermanentError are nonRetryableErrorTypes).
import { cancellationSignal } from '@temporalio/activity';
import type { ActivityDeps } from './deps.js';
import { hook, loadContext, recordedStep, type StepOutcome } from './promotion-context.js';
import { authorOf, DEPLOYMENT_TRAILER, remoteOf, renderFor, trailersOf } from './gitops-target.js';
import { pushRelease, type PushStatus } from '../gitops/repo.js';
import { setCommitSha } from '../db/deployments.js';
import { STEP } from '../domain/promotion.js';

export interface GitCommitPushInput {
  deploymentId: number;
}
export interface GitCommitPushResult extends StepOutcome {
  sha: string;
  pushStatus: PushStatus;
  changedFiles: string[];
}

export function createGitCommitPush(deps: ActivityDeps) {
  return {
    async gitCommitPush(input: GitCommitPushInput): Promise<GitCommitPushResult> {
      return recordedStep(deps, { deploymentId: input.deploymentId, step: STEP.gitCommitPush }, async () => {
        const ctx = await loadContext(deps, input.deploymentId);
        const r = ctx.release;
        const result = await pushRelease({
          ...remoteOf(deps, ctx),
          signal: cancellationSignal(),
          render: (readFile) => renderFor(ctx, readFile).map((f) => ({ path: f.path, content: f.content })),
          message: {
            subject: `${ctx.deployment.isRollback ? 'Roll back' : 'Promote'} ${ctx.environment.name} to release ${r.productVersion} (${r.id})`,
            body:
              `Release ${r.id}\nProduct version ${r.productVersion}\nDescriptor digest ${r.digest}\n` +
              `Deployment ${ctx.deployment.id}, started by ${ctx.deployment.startedBy}` +
              (ctx.deployment.reason ? `\nReason: ${ctx.deployment.reason}` : ''),
          },
          trailers: trailersOf(ctx),
          idempotencyTrailer: DEPLOYMENT_TRAILER,
          author: authorOf(deps, ctx),
        });
        await hook(deps, 'git-commit-push:pushed', input.deploymentId);
        await setCommitSha(deps.database.db, { deploymentId: input.deploymentId, sha: result.sha });
        const status = result.status === 'pushed' ? ('succeeded' as const) : ('skipped' as const);
        const message =
          result.status === 'pushed'
            ? `pushed ${result.sha} (${result.changedFiles.join(', ')})${result.attempts > 1 ? ` after ${result.attempts} attempts` : ''}`
            : result.status === 'skipped-existing-commit'
              ? `commit ${result.sha} of this deployment already on ${ctx.environment.gitops.branch}; nothing pushed`
              : `${ctx.environment.gitops.branch} already holds this state at ${result.sha}; nothing pushed`;
        return {
          status,
          message,
          observation: { sha: result.sha, pushStatus: result.status },
          sha: result.sha,
          pushStatus: result.status,
          changedFiles: result.changedFiles,
        };
      });
    },
  };
}
