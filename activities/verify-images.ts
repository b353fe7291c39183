// Step "verify-images": proves every cluster runs exactly the release. For every application of every target it
// finds each service's workload among those Argo CD manages, reads it and its Ready, non-terminating pods through
// the Kubernetes API of that application's cluster, and compares each container's running image (the imageID
// digest when the descriptor pins a digest, else the image reference) with the descriptor (verify-workloads.ts).
// Any difference fails the step with a per-container list of expected vs running. A workload that does not carry
// the release annotation (an existing chart that does not stamp it) is verified by its images alone, and the
// step's message and observation say so.
import { ApplicationFailure } from '@temporalio/activity';
import type { ActivityDeps } from './deps.js';
import { loadContext, recordedStep, type StepOutcome, type StepInput } from './promotion-context.js';
import { skipVerifyWhenUnconfigured } from './verify-gates.js';
import { mappedWorkloadOf } from './mapped-workload.js';
import { onCluster, targetApplications, type TargetApp } from './promotion-targets.js';
import { verifyApplications, type ImageMismatch, type VerifyApplicationsResult } from './verify-workloads.js';
import { RELEASE_ANNOTATION } from '../domain/environment.js';
import { FAILURE, STEP } from '../domain/promotion.js';

export { expectedOf, imageMatches, type Expected, type ExpectedContainer } from './live-images.js';
export type { ImageMismatch } from './verify-workloads.js';

export interface VerifyImagesInput extends StepInput {
  sha: string;
  /** Since verify-plan-in-images: afterwards, record the verify step `skipped` when it has nothing to check. */
  planVerify?: boolean;
}
export interface VerifyImagesResult extends StepOutcome {
  verifiedContainers: number;
  pods: number;
  /** The verify step was recorded `skipped` (planVerify): the workflow goes straight to the record. */
  verifySkipped?: boolean;
}

/** ` on clusters eu-1, eu-2` when the environment spans several, else nothing. */
function onClusters(apps: ReadonlyArray<{ target: { name: string; several: boolean } }>): string {
  const names = [...new Set(apps.map((a) => a.target.name))];
  return apps[0]?.target.several ? ` on clusters ${names.join(', ')}` : '';
}

export function createVerifyImages(deps: ActivityDeps) {
  // The step itself; the activity below adds the verify step's planning for the common case.
  const step = {
    async verifyImages(input: VerifyImagesInput): Promise<VerifyImagesResult> {
      return recordedStep(deps, { deploymentId: input.deploymentId, step: STEP.verifyImages, holds: input.checkHolds }, async () => {
        const ctx = await loadContext(deps, input.deploymentId);
        const appRefs = await targetApplications(deps, ctx);
        const byTarget = new Map<string, TargetApp[]>();
        for (const app of appRefs) byTarget.set(app.target.name, [...(byTarget.get(app.target.name) ?? []), app]);
        const result: VerifyApplicationsResult = {
          mismatches: [],
          verifiedContainers: 0,
          pods: 0,
          workloads: [],
          verifiedByImagesOnly: [],
        };
        for (const apps of byTarget.values()) {
          const target = (apps[0] as TargetApp).target;
          // Each application's workloads are read from the Kubernetes API of its own cluster.
          const part = await onCluster(target, () =>
            verifyApplications({
              argo: target.argo(),
              kube: target.kube(),
              project: target.argocd.project,
              namespace: target.kubernetes.namespace,
              releaseId: ctx.release.id,
              descriptor: ctx.release.descriptor,
              applications: apps.map((a) => ({ group: a.group, name: a.name })),
              mappedWorkload: (group, service) => mappedWorkloadOf(ctx.environment.gitops, group, service),
            }),
          );
          // Mismatches and workloads name the application as the steps do (`<cluster>/<app>` with several clusters).
          const label = (name: string) => (target.several ? `${target.name}/${name}` : name);
          result.mismatches.push(...part.mismatches.map((m: ImageMismatch) => ({ ...m, application: label(m.application) })));
          result.workloads.push(...part.workloads.map((w) => ({ ...w, application: label(w.application) })));
          result.verifiedByImagesOnly.push(...part.verifiedByImagesOnly.map(label));
          result.verifiedContainers += part.verifiedContainers;
          result.pods += part.pods;
        }
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
          `${result.verifiedContainers} container(s) in ${result.pods} Ready pod(s) run exactly the release's images${onClusters(appRefs)}` +
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
  return {
    async verifyImages(input: VerifyImagesInput): Promise<VerifyImagesResult> {
      const verified = await step.verifyImages(input);
      if (!input.planVerify) return verified;
      const verifySkipped = await skipVerifyWhenUnconfigured(deps, input);
      return verifySkipped ? { ...verified, verifySkipped } : verified;
    },
  };
}
