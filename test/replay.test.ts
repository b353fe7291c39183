// Determinism guard for long-lived promotions: every committed history in test/histories/ (happy path,
// parked, parked and retried, aborted after the push, approval, approval expired, cancelled) replays
// against the current workflow bundle. A DeterminismViolationError here means a change altered the
// workflow's commands without `patched()` (docs/contributing.md, "Changing the workflow").
import { describe, expect, it } from 'vitest';
import { Worker } from '@temporalio/worker';
import { loadHistories } from './history-corpus.js';
import { workflowBundle } from './harness.js';

describe('workflow histories replay against the current code', () => {
  it('replays every history in the corpus', async () => {
    const histories = await loadHistories();
    expect(histories.length).toBeGreaterThanOrEqual(7);
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories)) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.name}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
  });
});
