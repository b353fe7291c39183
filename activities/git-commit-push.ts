// Step "git-commit-push": one commit on the environment branch with trailers naming installation, environment,
// deployment and release. Idempotent: if the branch already carries this deployment's own commit (all trailers
// and the same rendered tree: a retry after a crash) or already holds exactly this state, nothing is pushed.
// Our own commit is written to deployments.commit_sha as soon as the push returns, before anything else that
// can fail, so an abort compensates it even when this activity never completes; a no-change push records none
// (its sha is somebody else's head, only the revision Argo CD should sync). A
// concurrent writer (non-fast-forward) is handled by gitops/repo.ts: fetch, re-render, retry. Auth and
// permission errors are not retried (GitAuthError / GitPermanentError are nonRetryableErrorTypes).
import { cancellationSignal } from '@temporalio/activity';
import type { ActivityDeps } from './deps.js';
import { hook, loadContext, recordedStep, type StepOutcome, type StepInput } from './promotion-context.js';
import { authorOf, DEPLOYMENT_TRAILER, installationIdOf, remoteOf, renderFor, trailersOf } from './gitops-target.js';
import { pushRelease, type PushStatus } from '../gitops/repo.js';
import { setCommitSha } from '../db/deployments.js';
import { STEP } from '../domain/promotion.js';

export type GitCommitPushInput = StepInput;
export interface GitCommitPushResult extends StepOutcome {
  /** The revision Argo CD should sync (our commit, or the unchanged head). */
  sha: string;
  /** This deployment's own commit; null when nothing needed a change. */
  ownCommit: string | null;
  pushStatus: PushStatus;
  changedFiles: string[];
}

export function createGitCommitPush(deps: ActivityDeps) {
  return {
    async gitCommitPush(input: GitCommitPushInput): Promise<GitCommitPushResult> {
      return recordedStep(deps, { deploymentId: input.deploymentId, step: STEP.gitCommitPush, holds: input.checkHolds }, async () => {
        const ctx = await loadContext(deps, input.deploymentId);
        const r = ctx.release;
        const installationId = await installationIdOf(deps);
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
          trailers: trailersOf(ctx, installationId),
          idempotencyTrailer: DEPLOYMENT_TRAILER,
          author: authorOf(deps, ctx),
        });
        // Persist our own commit first (audit finding 9); a retry finds it again by trailers and tree.
        if (result.ownCommit) await setCommitSha(deps.database.db, { deploymentId: input.deploymentId, sha: result.ownCommit });
        await hook(deps, 'git-commit-push:pushed', input.deploymentId);
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
          observation: { sha: result.sha, ownCommit: result.ownCommit, pushStatus: result.status },
          sha: result.sha,
          ownCommit: result.ownCommit,
          pushStatus: result.status,
          changedFiles: result.changedFiles,
        };
      });
    },
  };
}
