// Step "render-values": renders the release's values files for every application of the environment
// against the branch's current content (gitops/render.ts edits the YAML in place) and reports which files
// the promotion will change. Read-only; the push step renders again against the head it commits on.
import { ApplicationFailure } from '@temporalio/activity';
import type { ActivityDeps } from './deps.js';
import { loadContext, recordedStep, type StepOutcome } from './promotion-context.js';
import { remoteOf, renderFor } from './gitops-target.js';
import { readFileAt } from '../gitops/repo.js';
import { ValuesRenderError, valuesPath } from '../gitops/render.js';

export interface RenderValuesInput {
  deploymentId: number;
}
export interface RenderValuesResult extends StepOutcome {
  baseSha: string | null;
  files: Array<{ path: string; changed: boolean; bytes: number }>;
}

export function createRenderValues(deps: ActivityDeps) {
  return {
    async renderValues(input: RenderValuesInput): Promise<RenderValuesResult> {
      return recordedStep(deps, { deploymentId: input.deploymentId, step: 'render-values' }, async () => {
        const ctx = await loadContext(deps, input.deploymentId);
        const remote = remoteOf(deps, ctx);
        const existing = new Map<string, string | undefined>();
        let baseSha: string | null = null;
        for (const group of Object.keys(ctx.release.descriptor)) {
          const path = valuesPath(ctx.environment.gitops.pathPattern, ctx.environment.name, group);
          const read = await readFileAt({ ...remote, path });
          baseSha = read.sha;
          existing.set(path, read.content);
        }
        let files;
        try {
          files = renderFor(ctx, (p) => existing.get(p));
        } catch (err) {
          if (err instanceof ValuesRenderError) throw ApplicationFailure.nonRetryable(err.message, 'ValuesRenderError');
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
