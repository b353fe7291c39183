// Step "verify-images": proves the cluster runs exactly the release. For every application it finds each service's
// workload among those Argo CD manages, reads it and its Ready, non-terminating pods through the Kubernetes API,
// and compares each container's running image (the imageID digest when the descriptor pins a digest, else the
// image reference) with the descriptor (verify-workloads.ts). Any difference fails the step with a per-container
// list of expected vs running. A workload that does not carry the release annotation (an existing chart that does
// not stamp it) is verified by its images alone, and the step's message and observation say so.
import { ApplicationFailure } from '@temporalio/activity';
import type { ActivityDeps } from './deps.js';
import { applicationsFor, argoClientFor, kubeClientFor, loadContext, recordedStep, type StepOutcome } from './promotion-context.js';
import { mappedWorkloadOf } from './mapped-workload.js';
import { verifyApplications } from './verify-workloads.js';
import { RELEASE_ANNOTATION } from '../domain/environment.js';
import { FAILURE, STEP } from '../domain/promotion.js';

export { expectedOf, imageMatches, type Expected, type ExpectedContainer } from './live-images.js';
export type { ImageMismatch } from './verify-workloads.js';

export interface VerifyImagesInput {
  deploymentId: number;
  sha: string;
}
export interface VerifyImagesResult extends StepOutcome {
  verifiedContainers: number;
  pods: number;
}

export function createVerifyImages(deps: ActivityDeps) {
  return {
    async verifyImages(input: VerifyImagesInput): Promise<VerifyImagesResult> {
      return recordedStep(deps, { deploymentId: input.deploymentId, step: STEP.verifyImages }, async () => {
        const ctx = await loadContext(deps, input.deploymentId);
        const argo = argoClientFor(deps, ctx.environment);
        const kube = kubeClientFor(deps, ctx.environment);
        const result = await verifyApplications({
          argo,
          kube,
          project: ctx.environment.argocd.project,
          namespace: ctx.environment.kubernetes.namespace,
          releaseId: ctx.release.id,
          descriptor: ctx.release.descriptor,
          applications: await applicationsFor(ctx, argo),
          mappedWorkload: (group, service) => mappedWorkloadOf(ctx.environment.gitops, group, service),
        });
        if (result.mismatches.length > 0) {
          const lines = result.mismatches.map(
            (m) =>
              `${m.application}/${m.workload}/${m.container}: expected ${m.expected}, running ${m.running}${m.pod ? ` (pod ${m.pod})` : ''}`,
          );
          throw ApplicationFailure.nonRetryable(`live images differ from the release: ${lines.join('; ')}`, FAILURE.imageMismatch, {
            mismatches: result.mismatches,
          });
        }
        const imagesOnly = result.verifiedByImagesOnly;
        const message =
          `${result.verifiedContainers} container(s) in ${result.pods} Ready pod(s) run exactly the release's images` +
          (imagesOnly.length > 0 ? `; verified by images: the chart does not stamp ${RELEASE_ANNOTATION} (${imagesOnly.join(', ')})` : '');
        return {
          status: 'succeeded' as const,
          message,
          observation: {
            verifiedContainers: result.verifiedContainers,
            pods: result.pods,
            workloads: result.workloads,
            ...(imagesOnly.length > 0 ? { verifiedByImagesOnly: imagesOnly } : {}),
          },
          verifiedContainers: result.verifiedContainers,
          pods: result.pods,
        };
      });
    },
  };
}
