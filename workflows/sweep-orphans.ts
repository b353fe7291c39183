// sweepOrphanedPromotions: one pass of the orphan sweep (activities/sweep-orphans.ts). Started periodically
// by the Temporal Schedule that the worker creates at start (worker.ts, ensureOrphanSweepSchedule); a
// separate workflow type, so promoteRelease's histories are untouched.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { SweepOrphansInput, SweepOrphansResult } from '../activities/sweep-orphans.js';

const { failOrphanedPromotions } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumAttempts: 3, initialInterval: '1 second' },
  summary: 'fail orphaned promotion records',
});

export async function sweepOrphanedPromotions(input: SweepOrphansInput): Promise<SweepOrphansResult> {
  return failOrphanedPromotions(input);
}
