// The promotion vocabulary, in one place: the statuses of a promotion (the deployment-history record and the
// workflow's state), the allowed transitions between them, the steps, step statuses, operator actions and the
// failure type names that cross the activity/workflow boundary. Pure and sandbox-safe: the workflow, the
// activities, db/ (including its SQL check constraints), the API schemas and the UI all import it.

/** Every status a promotion can have, in lifecycle order. */
export const PROMOTION_STATUSES = [
  'queued',
  'pending',
  'scheduled',
  'awaiting_approval',
  'running',
  'awaiting_operator',
  'succeeded',
  'failed',
  'aborted',
  'superseded',
] as const;
export type PromotionStatus = (typeof PROMOTION_STATUSES)[number];

/** A promotion in one of these holds its environment (at most one per environment, enforced in SQL). */
export const ACTIVE_STATUSES = [
  'pending',
  'scheduled',
  'awaiting_approval',
  'running',
  'awaiting_operator',
] as const satisfies readonly PromotionStatus[];
export type ActiveStatus = (typeof ACTIVE_STATUSES)[number];

/** Final: a record in one of these never changes status again. */
export const TERMINAL_STATUSES = ['succeeded', 'failed', 'aborted', 'superseded'] as const satisfies readonly PromotionStatus[];
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];

/** How an environment's queue orders waiting promotions (docs/governance.md "Queues"). */
export const QUEUE_POLICIES = ['fifo', 'newest-wins'] as const;
export type QueuePolicy = (typeof QUEUE_POLICIES)[number];

/**
 * Active statuses in which a promotion may be changing Git and the cluster (before them nothing is pushed: a
 * promotion waiting for its approval or for a freeze window to end is not a rollout, so monitoring goes on).
 */
export const ROLLING_OUT_STATUSES = ['running', 'awaiting_operator'] as const satisfies readonly ActiveStatus[];

export function isRollingOut(status: PromotionStatus): boolean {
  return (ROLLING_OUT_STATUSES as readonly PromotionStatus[]).includes(status);
}

export function isActive(status: PromotionStatus): status is ActiveStatus {
  return (ACTIVE_STATUSES as readonly PromotionStatus[]).includes(status);
}

export function isTerminal(status: PromotionStatus): status is TerminalStatus {
  return (TERMINAL_STATUSES as readonly PromotionStatus[]).includes(status);
}

/**
 * The lifecycle as a closed graph. `queued` waits for the environment to be free (not active); `pending` is the
 * API's record before the workflow runs; `scheduled` waits
 * for a freeze window to end; any active status may end in `failed` (a workflow terminated or never started is
 * failed by the next request).
 */
const TRANSITIONS: { readonly [S in PromotionStatus]: readonly PromotionStatus[] } = {
  // Waiting for the environment (`queue: true`, docs/governance.md): not active, it holds nothing. It starts
  // (`pending`), is superseded by a newer queued release (newest-wins), cancelled, or fails a rule at its start.
  queued: ['pending', 'superseded', 'aborted', 'failed'],
  pending: ['scheduled', 'awaiting_approval', 'running', 'failed', 'aborted'],
  // Waiting for a freeze window to end (`whenOpen`, docs/governance.md), before or right after the approval gate.
  scheduled: ['awaiting_approval', 'running', 'failed', 'aborted'],
  awaiting_approval: ['running', 'failed', 'aborted'],
  // `scheduled`: a freeze that began while the promotion waited for its approval holds it after the gate.
  running: ['scheduled', 'awaiting_operator', 'succeeded', 'failed', 'aborted'],
  awaiting_operator: ['running', 'failed', 'aborted'],
  succeeded: [],
  failed: [],
  aborted: [],
  superseded: [],
};

/** Whether a promotion may move from `from` to `to` (staying in the same status is not a transition). */
export function canTransition(from: PromotionStatus, to: PromotionStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Every allowed (from, to) pair; the SQL table `promotion_transitions` that the deployments trigger reads must equal it. */
export function allTransitions(): [PromotionStatus, PromotionStatus][] {
  return PROMOTION_STATUSES.flatMap((from) => TRANSITIONS[from].map((to): [PromotionStatus, PromotionStatus] => [from, to]));
}

/** The steps of a promotion, in order; persisted as deployment_steps rows. */
export const STEPS = [
  'approval',
  'render-values',
  'git-commit-push',
  'argocd-refresh',
  'argocd-sync',
  'argocd-wait',
  'verify-images',
  'verify',
  'record',
] as const;

/**
 * The steps an abort adds when it compensates a push: their rows are created only then, after the forward
 * rows (which keep what the forward run did).
 */
export const COMPENSATION_STEPS = ['revert-push', 'revert-sync', 'revert-wait'] as const;
export type StepName = (typeof STEPS)[number] | (typeof COMPENSATION_STEPS)[number];

/** Every step row a deployment can have, in display order (the row's `position`). */
export const ALL_STEPS: readonly StepName[] = [...STEPS, ...COMPENSATION_STEPS];

/** The step names as constants, for code that names one step (activities, the workflow). */
export const STEP = {
  approval: 'approval',
  renderValues: 'render-values',
  gitCommitPush: 'git-commit-push',
  argocdRefresh: 'argocd-refresh',
  argocdSync: 'argocd-sync',
  argocdWait: 'argocd-wait',
  verifyImages: 'verify-images',
  /** The environment's verification gates (docs/verification-and-monitoring.md); `skipped` when none are configured. */
  verify: 'verify',
  record: 'record',
  revertPush: 'revert-push',
  revertSync: 'revert-sync',
  revertWait: 'revert-wait',
} as const satisfies Record<string, StepName>;

export const STEP_STATUSES = ['pending', 'running', 'succeeded', 'skipped', 'failed'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/** What a person (or the system) did to a promotion; recorded in its `actions` list and audited. */
export const ACTIONS = ['start', 'approve', 'reject', 'retry', 'abort', 'expire'] as const;
export type PromotionAction = (typeof ACTIONS)[number];

/**
 * Operator actions sent to a running promotion (API routes; Workflow Updates). A `reject` (an approver's "no" at the
 * approval gate, with a reason) travels as the abort Update: the promotion ends `aborted` with the reason.
 */
export const OPERATOR_ACTIONS = ['approve', 'reject', 'retry', 'abort'] as const satisfies readonly PromotionAction[];
export type OperatorAction = (typeof OPERATOR_ACTIONS)[number];

/**
 * The operator actions that are valid now, as the workflow's Update validators judge them: approve only while
 * awaiting approval, retry only while parked, abort while active (not once an abort is under way, nor while the
 * record step makes the release current); a queued one may only be aborted. The UI offers exactly these; the API refuses the rest with 409.
 */
export function validActions(p: { status: PromotionStatus; step?: string | null; aborting?: boolean }): OperatorAction[] {
  if (p.status === 'queued') return ['abort']; // leaves the queue (docs/governance.md "Queues")
  if (!isActive(p.status) || p.aborting) return [];
  const actions: OperatorAction[] = [];
  if (p.status === 'awaiting_approval') actions.push('approve', 'reject');
  if (p.status === 'awaiting_operator') actions.push('retry');
  if (p.step !== STEP.record) actions.push('abort');
  return actions;
}

/** An abort was requested and the promotion has not ended yet (it is compensating). */
export function isAborting(p: { status: PromotionStatus; actions: ReadonlyArray<{ action: string }> }): boolean {
  return isActive(p.status) && p.actions.some((a) => a.action === 'abort');
}

/**
 * What became of an operator action the API recorded (`operator_actions`): `pending` until the workflow
 * verifies and consumes it (`applied`, exactly once) or refuses it (`rejected`).
 */
export const OPERATOR_ACTION_OUTCOMES = ['pending', 'applied', 'rejected'] as const;
export type OperatorActionOutcome = (typeof OPERATOR_ACTION_OUTCOMES)[number];

/** Actor names the system itself uses in history and audit: no token (name or principal) may take one. */
export const RESERVED_PRINCIPALS = ['system', 'temporal-cancel', 'flow-controller', 'FLOW_ADMIN_TOKEN'] as const;

export function isReservedPrincipal(name: string): boolean {
  const n = name.trim().toLowerCase();
  // `system:<what>` names the system's own initiators (system:auto-rollback, system:monitor, …).
  return n.startsWith('system:') || RESERVED_PRINCIPALS.some((r) => r.toLowerCase() === n);
}

/**
 * Failure type names (`ApplicationFailure.type`, or an error class's fixed `name`) that cross from the
 * activities to the workflow. The workflow's `nonRetryableErrorTypes` are built from these, so the two sides
 * cannot drift apart.
 */
export const FAILURE = {
  gitAuth: 'GitAuthError',
  gitPermanent: 'GitPermanentError',
  gitTransient: 'GitTransientError',
  gitConflict: 'GitConflictError',
  configuration: 'ConfigurationError',
  notFound: 'NotFound',
  valuesRender: 'ValuesRenderError',
  argoCd: 'ArgoCdError',
  argoCdTransient: 'ArgoCdTransientError',
  kubeApi: 'KubeApiError',
  kubeTransient: 'KubeTransientError',
  convergenceFailed: 'ConvergenceFailed',
  /** Our sync operation failed or was replaced: a retry must sync again before it waits. */
  syncOperationFailed: 'SyncOperationFailed',
  /**
   * A sync window of the application's AppProject blocks Argo CD's sync now (our sync refused, or its auto-sync
   * held back). Details `{ application, manual, schedules, opensAt, waitMs }`: the step waits for the window.
   */
  syncWindowBlocked: 'SyncWindowBlocked',
  recordEnded: 'RecordEnded',
  promotionRefused: 'PromotionRefused',
  /** The release is rejected or the environment paused (docs/governance.md): the step parks before it starts. */
  promotionHeld: 'PromotionHeld',
  operatorActionRejected: 'OperatorActionRejected',
  missingCommit: 'MissingCommit',
  invariantViolation: 'InvariantViolation',
  badInput: 'BadInput',
  imageMismatch: 'ImageMismatch',
  /** A verification gate (HTTP, Prometheus, Argo CD health hold) failed; the message names the check and its evidence. */
  verificationFailed: 'VerificationFailed',
} as const;
export type FailureType = (typeof FAILURE)[keyof typeof FAILURE];

/** Git failures that retrying cannot fix: the step parks at once for an operator. */
export const NON_RETRYABLE_GIT_FAILURES: readonly FailureType[] = [FAILURE.gitAuth, FAILURE.gitPermanent, FAILURE.configuration];
/** Convergence failures that retrying the wait cannot fix (a Degraded or failed application). */
export const NON_RETRYABLE_WAIT_FAILURES: readonly FailureType[] = [FAILURE.convergenceFailed, FAILURE.syncOperationFailed];

/**
 * Why a promotion waits in `awaiting_operator`: a step failed (an operator retries or aborts), or a sync window
 * blocks Argo CD's sync (the promotion resumes on its own when the window opens; retry and abort still work).
 */
export const PARK_REASONS = ['step-failed', 'sync-window'] as const;
export type ParkReason = (typeof PARK_REASONS)[number];

/**
 * How a sync-window park's message begins: `blocked by sync window <schedule> (<kind> <duration>): …`, after
 * `cluster <name>: ` when the environment spans several clusters.
 */
export const SYNC_WINDOW_PARK_PREFIX = 'blocked by sync window';
const PARK_START = /^(?:cluster [a-z0-9-]+: )?blocked by sync window /;
const RESUMES = '; resumes on its own when the window opens (Retry checks now, Abort ends the promotion)';

/**
 * The message of a park that waits for a sync window (the workflow builds it only for a SyncWindowBlocked
 * failure): the step's reason, which says which window blocks and when it opens.
 */
export function syncWindowParkMessage(reason: string): string {
  return `${reason}${RESUMES}`;
}

/** The park reason of a promotion (null when it is not parked), from its status and message. */
export function parkReasonOf(p: { status: PromotionStatus; message: string | null }): ParkReason | null {
  if (p.status !== 'awaiting_operator') return null;
  return p.message !== null && PARK_START.test(p.message) && p.message.endsWith(RESUMES) ? 'sync-window' : 'step-failed';
}
