// The orphan sweep: fails every active deployment-history record whose promotion workflow is not running
// (domain/orphan.ts), in every environment, without waiting for a promote request to stumble on it. Run by the
// `sweepOrphanedPromotions` workflow, which a Temporal Schedule starts periodically (worker.ts).
import { Context } from '@temporalio/activity';
import type { ActivityDeps } from './deps.js';
import { orphanReason } from '../domain/orphan.js';
import { failOrphan, listActiveDeployments } from '../db/orphans.js';
import { probePromotionWorkflow } from '../integrations/temporal-probe.js';
import { promotionEnded } from '../lib/metrics.js';

export interface SweepOrphansInput {
  graceSeconds: number;
}
export interface SweepOrphansResult {
  checked: number;
  /** Ids of the records failed by this sweep. */
  failed: number[];
}

export function createSweepOrphans(deps: ActivityDeps) {
  return {
    async failOrphanedPromotions(input: SweepOrphansInput): Promise<SweepOrphansResult> {
      const { client } = Context.current();
      const active = await deps.database.db.transaction((tx) => listActiveDeployments(tx));
      const failed: number[] = [];
      for (const record of active) {
        const probe = await probePromotionWorkflow(client, record.workflowId, record.runId);
        const reason = orphanReason(record, probe, new Date(), input.graceSeconds);
        if (!reason) continue;
        if (await deps.database.db.transaction((tx) => failOrphan(tx, { judged: record, message: reason }))) {
          failed.push(record.id);
          promotionEnded({ ...record, status: 'failed', finishedAt: new Date() });
          deps.logger.warn({ deploymentId: record.id, environment: record.environment, reason }, 'sweep failed an orphaned deployment');
        }
      }
      return { checked: active.length, failed };
    },
  };
}
