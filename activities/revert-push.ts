// Compensation of an aborted promotion: a revert commit of the pushed commit restores the environment's
// previous values in Git (idempotent by the deployment trailer). Synced afterwards like any other commit.
import { cancellationSignal } from '@temporalio/activity';
import type { ActivityDeps } from './deps.js';
import { loadContext, toFailure } from './promotion-context.js';
import { authorOf, DEPLOYMENT_TRAILER, remoteOf, trailersOf } from './gitops-target.js';
import { revertCommit } from '../gitops/repo.js';

export function createRevertPush(deps: ActivityDeps) {
  return {
    async revertPush(input: { deploymentId: number; sha: string }): Promise<{ sha: string; status: string }> {
      try {
        const ctx = await loadContext(deps, input.deploymentId);
        const result = await revertCommit({
          ...remoteOf(deps, ctx),
          signal: cancellationSignal(),
          sha: input.sha,
          trailers: trailersOf(ctx),
          idempotencyTrailer: DEPLOYMENT_TRAILER,
          author: authorOf(deps, ctx),
          message: {
            subject: `Abort deployment ${ctx.deployment.id}: restore ${ctx.environment.name}`,
            body: `This reverts commit ${input.sha} (release ${ctx.release.id}).`,
          },
        });
        return { sha: result.sha, status: result.status };
      } catch (err) {
        throw toFailure(err);
      }
    },
  };
}
