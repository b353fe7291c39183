// Determinism guard for long-lived promotions: every committed history in test/histories/ replays against
// the current workflow bundle — v1 (before the hardening patches: happy path, parked, parked and retried,
// aborted after the push, awaiting approval, approved, approval expired, cancelled), the same scenarios
// recorded with the patches, and resync retry, fromStep retry, abort with revert steps, a hand-started run
// that rejected a forged Update, and promotions that waited for an Argo CD sync window (sync-window-wait*); the
// `.v2` files are happy-path and sync-window-wait* from before refresh-sync-together (refresh and sync in one activity);
// soak-* are promotions that soaked after their record step (soak-after-record: verified, revoked by an incident,
// cancelled from Temporal during the soak). The verification-gates-* files are promotions with the verify step
// (skipped, passed, parked, retried, rolled back — `.v1` before verification-rollback-reverts, which reverts its own
// commit) and a reverifyEnvironment run; governance-held-* parked on a
// rejected release before a step (governance-holds), then released; freeze-* waited in `scheduled` for a
// freeze window (freeze-wait), at start and after the approval gate; queue-* are queuedPromotion waiters (a queued
// promotion that started, one superseded by a newer release, one that waited across worker restarts); traced-happy-path
// was recorded with tracing on (its workflow and activity headers carry the trace context), and every history replays
// with the tracing interceptor too; notify-* are the notification workflows (a delivery retried then delivered, one
// dead-lettered, a manual redelivery, and the dispatcher, recorded while it runs); monitor-drift and monitor-rollback are
// monitors before `monitor-watch` (a local activity per interval), monitor-watch one since (test/monitor-watch.test.ts:
// watches, wake cancellations, a worker restart mid-watch); auto-promotion is an autoPromotion workflow (looks, a
// promotion queued, a hold and a resume), recorded while it runs. A DeterminismViolationError here means a change altered the
// workflow's commands without `patched()` (docs/contributing.md, "Changing the workflow").
import { describe, expect, it } from 'vitest';
import { Worker } from '@temporalio/worker';
import { loadHistories } from './history-corpus.js';
import { workflowBundle } from './harness.js';
import { makeWorkflowExporter } from '@temporalio/interceptors-opentelemetry';
import { NoopSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Resource } from '@opentelemetry/resources';

describe('workflow histories replay against the current code', () => {
  // Both bundles: turning tracing on (lib/tracing.ts) replays every running workflow with the tracing interceptor.
  it.each([false, true])('replays every history in the corpus (tracing interceptor: %s)', async (traced) => {
    const histories = await loadHistories();
    expect(histories.length).toBeGreaterThanOrEqual(20);
    const failures: string[] = [];
    const sinks = { exporter: makeWorkflowExporter(new NoopSpanProcessor(), Resource.default()) };
    const options = { workflowBundle: await workflowBundle(traced), ...(traced ? { sinks } : {}) };
    for await (const result of Worker.runReplayHistories(options, histories)) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.name}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
  });
});
