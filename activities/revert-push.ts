// Compensation of an aborted promotion in Git (gitops/compensate.ts): revert this deployment's own commit
// (found on the branch by installation, environment, deployment and release trailers, and refused when it
// touches another environment's files), or — when the push changed nothing or never reached the remote —
// render the environment's previous release and push that. Never reverts a commit on the caller's word:
// `sha` (the old input shape of parked runs) is informational. Synced afterwards like any other commit.
import { ApplicationFailure, cancellationSignal } from '@temporalio/activity';
import type { ActivityDeps } from './deps.js';
import { loadContext, toFailure } from './promotion-context.js';
import { authorOf, installationIdOf, ownerOf, remoteOf, renderFor, trailersOf } from './gitops-target.js';
import { compensatePush, type CompensationStatus } from '../gitops/compensate.js';
import { GitError } from '../gitops/errors.js';
import { RESTORES_TRAILER } from '../gitops/ownership.js';
import { ValuesRenderError } from '../gitops/render.js';
import { getRelease } from '../db/releases.js';
import { FAILURE } from '../domain/promotion.js';

export interface RevertPushInput {
  deploymentId: number;
  /** What the workflow remembers as pushed (old shape); never reverted unless it is the deployment's own commit. */
  sha?: string | null;
}

export interface RevertPushResult {
  /** The commit to sync to restore the environment; null when Git needed no change. */
  sha: string | null;
  status: CompensationStatus;
  message: string;
}

export function createRevertPush(deps: ActivityDeps) {
  return {
    async revertPush(input: RevertPushInput): Promise<RevertPushResult> {
      try {
        const ctx = await loadContext(deps, input.deploymentId);
        const installationId = await installationIdOf(deps);
        const previousId = ctx.deployment.previousReleaseId;
        const previous = previousId ? await getRelease(deps.database.db, { id: previousId }) : undefined;
        if (previousId && !previous) throw ApplicationFailure.nonRetryable(`release ${previousId} not found`, FAILURE.notFound);
        const env = ctx.environment.name;
        const result = await compensatePush({
          ...remoteOf(deps, ctx),
          signal: cancellationSignal(),
          author: authorOf(deps, ctx),
          own: ownerOf(ctx, installationId),
          ...(input.sha ? { sha: input.sha } : {}),
          revertMessage: (sha) => ({
            subject: `Abort deployment ${ctx.deployment.id}: restore ${env}`,
            body: `This reverts commit ${sha} (release ${ctx.release.id}).`,
          }),
          previous: previous
            ? {
                render: (readFile) => renderFor({ ...ctx, release: previous }, readFile).map((f) => ({ path: f.path, content: f.content })),
                trailers: { ...trailersOf(ctx, installationId, previous.id), [RESTORES_TRAILER]: previous.id },
                message: {
                  subject: `Abort deployment ${ctx.deployment.id}: restore ${env} to release ${previous.productVersion} (${previous.id})`,
                  body: `Deployment ${ctx.deployment.id} (release ${ctx.release.id}) pushed no commit of its own; its previous release is rendered again.`,
                },
              }
            : null,
        });
        return { sha: result.sha, status: result.status, message: result.message };
      } catch (err) {
        if (err instanceof ValuesRenderError) throw ApplicationFailure.nonRetryable(err.message, FAILURE.valuesRender);
        if (err instanceof GitError && !err.retryable) {
          throw ApplicationFailure.create({ message: err.message, type: err.name, nonRetryable: true, cause: err });
        }
        throw toFailure(err);
      }
    },
  };
}
