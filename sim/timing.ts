// Timing knobs of the simulator. All zero (the default) means "as fast as the scheduler runs", for
// unit tests; SANDBOX_TIMING spreads a rollout over a few seconds so progress is visible.

export interface Timing {
  /** Sync accepted (`operation` set) → operationState Running with syncResult.revision. */
  operationStartMs: number;
  /** Running → manifests applied; the operation finishes (Succeeded/Failed) right after apply, as Argo does without hooks. */
  applyMs: number;
  /** Spec change → the workload controller observes it (`status.observedGeneration`). */
  observeMs: number;
  /** Delay between two pod replacements. When 0 and rolloutMs > 0, rolloutMs / replicas is used. */
  podStepMs: number;
  /** Total rollout time per workload, spread over its replicas (used when podStepMs is 0). */
  rolloutMs: number;
  /** How long a replaced pod stays Terminating (with deletionTimestamp) before it disappears. */
  terminationMs: number;
  /** Live change or finished operation → Argo re-assesses sync/health (`reconciledAt`). Health lags by this much. */
  healthLagMs: number;
  /** Pods stuck under the `degraded` fault → Deployment gets ProgressDeadlineExceeded after this. */
  progressDeadlineMs: number;
  /** Terminate requested → phase Failed "Operation terminated". */
  terminateMs: number;
}

export const INSTANT_TIMING: Timing = {
  operationStartMs: 0,
  applyMs: 0,
  observeMs: 0,
  podStepMs: 0,
  rolloutMs: 0,
  terminationMs: 0,
  healthLagMs: 0,
  progressDeadlineMs: 0,
  terminateMs: 0,
};

export const SANDBOX_TIMING: Timing = {
  operationStartMs: 300,
  applyMs: 700,
  observeMs: 300,
  podStepMs: 0,
  rolloutMs: 6_000,
  terminationMs: 1_000,
  healthLagMs: 500,
  progressDeadlineMs: 15_000,
  terminateMs: 500,
};

/**
 * Realistic windows for end-to-end tests: every stale status window real Argo CD has (operation pending,
 * Running with syncResult.revision already set, Succeeded with stale health, Progressing during the rollout)
 * lasts far longer than the worker's poll interval, so the wait step observes each of them; only the
 * rollout and the progress deadline are shorter than in the sandbox, to keep the tests quick.
 */
export const REALISTIC_TEST_TIMING: Timing = {
  ...SANDBOX_TIMING,
  rolloutMs: 3_000,
  healthLagMs: 1_000,
  progressDeadlineMs: 4_000,
};

export function resolveTiming(partial: Partial<Timing> | undefined): Timing {
  return { ...INSTANT_TIMING, ...(partial ?? {}) };
}
