// Starting promotions and acting on them: the rules checked before anything starts, the deployment row,
// the Temporal workflow start, and operator actions sent as Workflow Updates with a bounded wait.
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { Config } from '../../lib/config.js';
import type { Logger } from '../../lib/logger.js';
import type { Database, Tx } from '../../db/client.js';
import { ApiError } from '../errors.js';
import { getEnvironment } from '../../db/environments.js';
import { promotionRuleViolation } from '../../db/promotion-rules.js';
import { getRelease } from '../../db/releases.js';
import { insertOperatorAction, rejectOperatorAction } from '../../db/operator-actions.js';
import {
  failUnstarted,
  findActiveDeployment,
  insertDeployment,
  type DeploymentRow,
  type InsertDeploymentInput,
} from '../../db/deployments.js';
import { listQueue } from '../../db/queue.js';
import { endSoakOfPreviousRun, unverifiedDetails } from './soak.js';
import {
  abortUpdate,
  approveUpdate,
  promotionStartOptions,
  promoteInputOf,
  promotionWorkflowId,
  retryUpdate,
  type ActionResult,
  type OperatorActionInput,
  type RetryInput,
  type StepTimeouts,
} from '../../workflows/promotion-messages.js';
import { startAfterPreviousCloses } from '../../integrations/workflow-start.js';
import type { Actor } from '../../domain/roles.js';
import { isActive, STEPS, type OperatorAction, type QueuePolicy, type StepName } from '../../domain/promotion.js';
import { orphanReason } from '../../domain/orphan.js';
import { failOrphan, setRunId } from '../../db/orphans.js';
import { probePromotionWorkflow } from '../../integrations/temporal-probe.js';
import { assertNotFrozen } from './freezes.js';
import { holdMessage, holdsOn } from '../../db/holds.js';
import { promotionEnded, promotionsStarted } from '../../lib/metrics.js';
import { enqueuePromotion } from './queue.js';
import { holdForManualPromotion } from './auto-promotion.js';

export interface PromotionServiceDeps {
  database: Database;
  client: Client;
  taskQueue: string;
  logger: Logger;
  workerResponseTimeoutMs: number;
  timeouts: StepTimeouts;
  /** A run-id-less active record older than this, whose workflow is not running, is orphaned. */
  orphanGraceSeconds: number;
}

/** The service's dependencies, read from the process-wide ones (built once, in completeAppDeps). */
export function promotionDeps(deps: {
  config: Config;
  database: Database;
  temporal: { client: Client };
  logger: Logger;
}): PromotionServiceDeps {
  return {
    database: deps.database,
    client: deps.temporal.client,
    taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
    logger: deps.logger,
    workerResponseTimeoutMs: deps.config.WORKER_RESPONSE_TIMEOUT_MS,
    timeouts: {
      stepSeconds: deps.config.PROMOTION_STEP_TIMEOUT_SECONDS,
      gitSeconds: deps.config.PROMOTION_GIT_TIMEOUT_SECONDS,
      heartbeatSeconds: deps.config.PROMOTION_HEARTBEAT_TIMEOUT_SECONDS,
    },
    orphanGraceSeconds: deps.config.PROMOTION_ORPHAN_GRACE_SECONDS,
  };
}

export interface StartPromotionResult {
  deployment: DeploymentRow;
  /** false: an identical request found the promotion already running or queued (idempotent). */
  created: boolean;
  /** Queued (`queue: true` while another promotion runs): 1-based place in the environment's queue. */
  queuePosition?: number;
}

export async function startPromotion(
  deps: PromotionServiceDeps,
  input: {
    releaseId: string;
    environment: string;
    reason: string | null;
    actor: Actor;
    requestId: string;
    /** During a freeze: accept and wait (status scheduled) instead of 409 ENVIRONMENT_FROZEN. */
    whenOpen?: boolean;
    /** Break-glass (admins; the route checks the role): start through a freeze, with this reason. */
    breakGlassReason?: string;
    /** While another promotion runs here: wait in the environment's queue (status queued) instead of 409. */
    queue?: boolean;
  },
): Promise<StartPromotionResult> {
  const db = deps.database.db;
  const release = await getRelease(db, { id: input.releaseId });
  if (!release) throw new ApiError('RELEASE_NOT_FOUND', `Release ${input.releaseId} does not exist`);
  const env = await getEnvironment(db, { name: input.environment });
  if (!env) throw new ApiError('ENVIRONMENT_NOT_FOUND', `Environment ${input.environment} does not exist`);

  const violation = await promotionRuleViolation(db, env, release.id);
  if (violation?.code === 'ALREADY_CURRENT') {
    throw new ApiError('ALREADY_CURRENT', violation.message, {
      environment: env.name,
      releaseId: release.id,
      deploymentId: env.currentDeploymentId,
    });
  }
  if (violation?.code === 'UPSTREAM_NOT_PROMOTED') {
    throw new ApiError('UPSTREAM_NOT_PROMOTED', violation.message, { missing: violation.missing });
  }
  if (violation?.code === 'UPSTREAM_NOT_VERIFIED') {
    throw new ApiError('UPSTREAM_NOT_VERIFIED', violation.message, await unverifiedDetails(db, release.id, violation.missing));
  }
  // Governance (docs/governance.md): a rejected release, a paused environment, a freeze window.
  const holds = await holdsOn(db, { releaseId: release.id, environment: env.name });
  if (holds.rejection) {
    throw new ApiError('RELEASE_REJECTED', `release ${release.id} is rejected: ${holds.rejection.reason}`, {
      rejectedBy: holds.rejection.rejectedBy,
      rejectedAt: holds.rejection.rejectedAt.toISOString(),
      reason: holds.rejection.reason,
    });
  }
  if (holds.pauses.length > 0) {
    throw new ApiError('ENVIRONMENT_PAUSED', `promotions to ${env.name} are stopped: ${holdMessage(holds)}`, {
      pauses: holds.pauses.map((p) => ({
        environment: p.environment,
        reason: p.reason,
        pausedBy: p.pausedBy,
        pausedAt: p.pausedAt.toISOString(),
      })),
    });
  }
  // A freeze: refused (409 ENVIRONMENT_FROZEN), unless the request waits for the window (whenOpen, when one will
  // open) or breaks the glass.
  if (!input.breakGlassReason) await assertNotFrozen(db, { environment: env.name }, { whenOpen: input.whenOpen === true });

  // A rollback: going back to a release older than the current one, which has run here or upstream before.
  let isRollback = false;
  if (env.currentReleaseId) {
    const current = await getRelease(db, { id: env.currentReleaseId });
    isRollback = !!current && release.seq < current.seq;
  }

  const workflowId = promotionWorkflowId(env.name);
  const steps = env.protected ? STEPS : STEPS.filter((s) => s !== 'approval');
  const record = {
    environment: env.name,
    releaseId: release.id,
    previousReleaseId: env.currentReleaseId,
    isRollback,
    startedBy: input.actor.name,
    startedByTokenId: input.actor.tokenId,
    reason: input.reason,
    workflowId,
    steps,
    requestId: input.requestId,
    whenOpen: input.whenOpen === true,
    breakGlassReason: input.breakGlassReason ?? null,
  };
  // A person's promotion into an environment that auto-promotes holds its auto-promotion (docs/governance.md), in the
  // transaction that inserts it.
  const holdAuto = (tx: Tx, deployment: DeploymentRow) =>
    holdForManualPromotion(tx, { environment: env, deployment, actor: input.actor, requestId: input.requestId });
  const insert = () =>
    db.transaction(async (tx) => {
      const inserted = await insertDeployment(tx, record);
      if ('created' in inserted) await holdAuto(tx, inserted.created);
      return inserted;
    });
  const queueIt = () => enqueue(deps, record, env.queuePolicy, holdAuto);
  // With `queue`, a request never overtakes promotions already waiting (the environment may be free for the moment
  // between one promotion's end and the next one's start).
  if (input.queue && (await listQueue(db, { environment: env.name })).length > 0) {
    // …unless this very release is the one running there (the same answer as without `queue`).
    const active = await findActiveDeployment(db, { environment: env.name });
    if (active?.releaseId === release.id) return { deployment: active, created: false };
    return queueIt();
  }
  let inserted = await insert();
  if ('conflict' in inserted && (await releaseIfWorkflowGone(deps, inserted.conflict))) inserted = await insert();
  if ('conflict' in inserted) {
    const running = inserted.conflict;
    if (running.releaseId === release.id) return { deployment: running, created: false };
    // docs/governance.md "Queues": wait behind it; the waiter re-checks every rule when it starts.
    if (input.queue) return queueIt();
    throw new ApiError(
      'PROMOTION_IN_PROGRESS',
      `Deployment ${running.id} of release ${running.releaseId} is ${running.status} in ${env.name}; one promotion per environment at a time`,
      { deploymentId: running.id, releaseId: running.releaseId, status: running.status },
    );
  }
  const deployment = inserted.created;
  promotionsStarted.inc({ environment: env.name, kind: isRollback ? 'rollback' : 'promotion' });

  const promoteInput = promoteInputOf({ environment: env, deployment, initiator: input.actor.name, timeouts: deps.timeouts });
  let runId: string;
  try {
    runId = await startAfterPreviousCloses(
      deps.client,
      'promoteRelease',
      promotionStartOptions({
        input: promoteInput,
        productVersion: release.productVersion,
        digest: release.digest,
        taskQueue: deps.taskQueue,
        breakGlass: deployment.breakGlassReason !== null,
      }),
      // The environment's previous run may be soaking its release: this promotion supersedes the soak (it is
      // cancelled, api/services/soak.ts) before the start is tried once more.
      () => endSoakOfPreviousRun({ db, client: deps.client, logger: deps.logger }, { environment: env.name, workflowId }),
    );
  } catch (err) {
    const message =
      err instanceof WorkflowExecutionAlreadyStartedError
        ? `a promotion workflow ${workflowId} is already running without a matching history record`
        : `Temporal did not accept the promotion: ${(err as Error).message}`;
    await db.transaction((tx) => failUnstarted(tx, { deploymentId: deployment.id, message }));
    promotionEnded({ ...deployment, status: 'failed', finishedAt: new Date() });
    if (err instanceof WorkflowExecutionAlreadyStartedError) throw new ApiError('PROMOTION_IN_PROGRESS', message, { workflowId });
    deps.logger.error({ err }, 'failed to start promotion workflow');
    throw new ApiError('SERVICE_UNAVAILABLE', 'Temporal is unavailable; the promotion was not started', { deploymentId: deployment.id });
  }
  // The run id makes the record's workflow describable at once (the workflow's first activity writes it too,
  // but that may be late: a busy worker, Postgres down). Failing here is not fatal: the workflow is running.
  try {
    await db.transaction((tx) => setRunId(tx, { deploymentId: deployment.id, runId }));
  } catch (err) {
    deps.logger.warn({ err: (err as Error).message, deploymentId: deployment.id }, 'could not record the run id of a started promotion');
  }
  return { deployment: { ...deployment, runId }, created: true };
}

async function enqueue(
  deps: PromotionServiceDeps,
  record: InsertDeploymentInput,
  policy: QueuePolicy,
  afterInsert: (tx: Tx, row: DeploymentRow) => Promise<void>,
): Promise<StartPromotionResult> {
  const queued = await enqueuePromotion(deps, { ...record, policy }, afterInsert);
  return { deployment: queued.deployment, created: queued.created, queuePosition: queued.position };
}

/**
 * An active history record whose workflow is not running — never started (no run id, older than the grace
 * period), or ended without recording an outcome (terminated from the Temporal UI, timed out) — would block the
 * environment for good: mark it failed (audited). True when it was released. The worker's orphan sweep
 * (activities/sweep-orphans.ts) applies the same rule to every environment without waiting for a request.
 */
async function releaseIfWorkflowGone(deps: PromotionServiceDeps, active: DeploymentRow): Promise<boolean> {
  const probe = await probePromotionWorkflow(deps.client, active.workflowId, active.runId);
  const reason = orphanReason(active, probe, new Date(), deps.orphanGraceSeconds);
  if (!reason) return false;
  const released = await deps.database.db.transaction((tx) => failOrphan(tx, { judged: active, message: reason }));
  if (released) {
    promotionEnded({ ...active, status: 'failed', finishedAt: new Date() });
    deps.logger.warn({ deploymentId: active.id, reason }, 'released an orphaned deployment');
  }
  return released;
}

export type { OperatorAction };

/**
 * Sends an operator action to the running promotion: records it first (`operator_actions`, with token id,
 * principal, role, scope and request id, audited), then sends the Update with only the row's id, which is
 * also the Update id (server-generated: a client's X-Request-Id never deduplicates two actions). The workflow
 * verifies and consumes the row before the action counts. 409 when the workflow rejects it, 503 if no worker
 * answers.
 */
export async function sendOperatorAction(
  deps: PromotionServiceDeps,
  input: {
    deployment: DeploymentRow;
    action: OperatorAction;
    actor: Actor;
    comment?: string;
    leaveGit?: boolean;
    fromStep?: StepName;
    requestId: string;
  },
): Promise<ActionResult & { actionId: string }> {
  const { deployment } = input;
  // Invalid actions answer 409 with the state they were judged against.
  const state = { status: deployment.status, currentStep: deployment.currentStep };
  if (deployment.status === 'queued') {
    throw new ApiError(
      'INVALID_ACTION',
      `Deployment ${deployment.id} is queued: it has not started; abort removes it from the queue`,
      state,
    );
  }
  if (!isActive(deployment.status)) {
    throw new ApiError('INVALID_ACTION', `Deployment ${deployment.id} has ended (${deployment.status}); nothing to ${input.action}`, state);
  }
  // A reject is an approver's "no" at the gate: only there, and always with its reason.
  if (input.action === 'reject' && deployment.status !== 'awaiting_approval') {
    throw new ApiError(
      'INVALID_ACTION',
      `Deployment ${deployment.id} is ${deployment.status}, not awaiting approval; nothing to reject`,
      state,
    );
  }
  if (input.action === 'reject' && !input.comment?.trim()) {
    throw new ApiError('VALIDATION_FAILED', 'a rejection needs a reason: { "comment": "…" }');
  }
  const row = await deps.database.db.transaction((tx) =>
    insertOperatorAction(tx, {
      deploymentId: deployment.id,
      action: input.action,
      actor: input.actor,
      requestId: input.requestId,
      comment: input.comment ?? null,
      leaveGit: input.action === 'abort' && input.leaveGit === true,
      fromStep: input.action === 'retry' ? (input.fromStep ?? null) : null,
    }),
  );
  const handle = deps.client.workflow.getHandle(deployment.workflowId, deployment.runId ?? undefined);
  const payload: RetryInput = { actionId: row.id, ...(input.action === 'retry' && input.fromStep ? { fromStep: input.fromStep } : {}) };
  const opts = { updateId: row.id, args: [payload] as [OperatorActionInput] };
  // A reject travels as the abort Update; the workflow's verification accepts a reject row for it only at the gate.
  const update = { approve: approveUpdate, reject: abortUpdate, retry: retryUpdate, abort: abortUpdate }[input.action];
  const call = (): Promise<ActionResult> => handle.executeUpdate(update, opts);
  const reject = async (reason: string) => {
    await deps.database.db.transaction((tx) => rejectOperatorAction(tx, { actionId: row.id, reason })).catch(() => undefined);
    return new ApiError('INVALID_ACTION', reason, state);
  };
  try {
    return { ...(await deps.client.connection.withDeadline(Date.now() + deps.workerResponseTimeoutMs, call)), actionId: row.id };
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) throw await reject(err.cause?.message ?? err.message);
    if (err instanceof WorkflowNotFoundError) {
      throw await reject(`The promotion workflow of deployment ${deployment.id} is no longer running`);
    }
    const text = String((err as Error).message ?? err);
    if (/workflow execution already completed|already completed/i.test(text)) {
      throw await reject(`The promotion workflow of deployment ${deployment.id} has completed`);
    }
    deps.logger.warn({ err: text }, 'operator action got no answer');
    throw new ApiError(
      'WORKER_UNAVAILABLE',
      `No worker answered the ${input.action} within ${deps.workerResponseTimeoutMs} ms. Temporal keeps the request and applies it when a worker is back; check the deployment before repeating it`,
    );
  }
}
