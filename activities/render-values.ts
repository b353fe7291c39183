// Step "render-values": renders every file the release writes in the environment — each service through its
// image mapping (flow-workloads values, helm-values paths, kustomize images, plain manifests) — against the
// branch's current content (gitops/render.ts edits the YAML in place) and reports which files the promotion
// will change. Read-only; the push step renders again against the head it commits on.
import { ApplicationFailure, cancellationSignal } from '@temporalio/activity';
import type { ActivityDeps } from './deps.js';
import { loadContext, recordedStep, type StepOutcome, type StepInput } from './promotion-context.js';
import { pathsFor, remoteOf, renderFor } from './gitops-target.js';
import { readFilesAt } from '../gitops/repo.js';
import { ValuesRenderError } from '../gitops/render.js';
import { FAILURE, STEP } from '../domain/promotion.js';

export type RenderValuesInput = StepInput;
export interface RenderValuesResult extends StepOutcome {
  baseSha: string;
  files: Array<{ path: string; changed: boolean; bytes: number }>;
}

export function createRenderValues(deps: ActivityDeps) {
  return {
    async renderValues(input: RenderValuesInput): Promise<RenderValuesResult> {
      return recordedStep(deps, { deploymentId: input.deploymentId, step: STEP.renderValues, holds: input.checkHolds }, async () => {
        const ctx = await loadContext(deps, input.deploymentId);
        const remote = remoteOf(deps, ctx);
        let files;
        let baseSha: string;
        try {
          const paths = pathsFor(ctx);
          const read = await readFilesAt({ ...remote, paths, signal: cancellationSignal() });
          baseSha = read.sha;
          files = renderFor(ctx, (p) => read.files[p]);
        } catch (err) {
          if (err instanceof ValuesRenderError) throw ApplicationFailure.nonRetryable(err.message, FAILURE.valuesRender);
          throw err;
        }
        const changed = files.filter((f) => f.changed).map((f) => f.path);
        return {
          status: 'succeeded' as const,
          message: changed.length ? `will change ${changed.join(', ')}` : 'values already hold this release',
          observation: { baseSha, changed },
          baseSha,
          files: files.map((f) => ({ path: f.path, changed: f.changed, bytes: Buffer.byteLength(f.content) })),
        };
      });
    },
  };
}
