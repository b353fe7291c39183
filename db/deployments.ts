// Data access for deployments (the deployment-history records) and their steps. Every state change
// writes its audit event in the same transaction.
import { and, asc, desc, eq, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { Tx } from './client.js';
import { recordAudit, type AuditActor } from './audit.js';
import { deployments, deploymentSteps, deploymentTransitionKeys, environments, type DeploymentAction } from './promotion-schema.js';
import { ACTIVE_STATUSES, ALL_STEPS, canTransition, isTerminal, type PromotionStatus, type StepStatus } from '../domain/promotion.js';

export type DeploymentRow = typeof deployments.$inferSelect;
export type StepRow = typeof deploymentSteps.$inferSelect;

const SYSTEM: AuditActor = { name: 'system', tokenId: null };

export interface InsertDeploymentInput {
  environment: string;
  releaseId: string;
  previousReleaseId: string | null;
  isRollback: boolean;
  startedBy: string;
  startedByTokenId: string | null;
  reason: string | null;
  workflowId: string;
  steps: readonly string[];
  requestId?: string | null;
  /** Wait (status `scheduled`) while a freeze window is open (docs/governance.md). */
  whenOpen?: boolean;
  /** Break-glass: started through a freeze by an admin, with this reason. */
  breakGlassReason?: string | null;
  /** Insert it `queued` (not active: it waits for the environment, db/queue.ts); a conflict is this release queued already. */
  queued?: boolean;
}

/**
 * Inserts a pending deployment and its steps. Returns `conflict` with the active deployment instead when
 * the environment already has one (the partial unique index decides, so concurrent requests are safe).
 */
export async function insertDeployment(
  tx: Tx,
  input: InsertDeploymentInput,
): Promise<{ created: DeploymentRow } | { conflict: DeploymentRow }> {
  const rows = await tx
    .insert(deployments)
    .values({
      environment: input.environment,
      releaseId: input.releaseId,
      previousReleaseId: input.previousReleaseId,
      isRollback: input.isRollback,
      status: input.queued ? 'queued' : 'pending',
      queuedAt: input.queued ? new Date() : null,
      reason: input.reason,
      startedBy: input.startedBy,
      startedByTokenId: input.startedByTokenId,
      workflowId: input.workflowId,
      whenOpen: input.whenOpen ?? false,
      breakGlassReason: input.breakGlassReason ?? null,
      actions: [{ action: 'start', by: input.startedBy, at: new Date().toISOString(), ...(input.reason ? { comment: input.reason } : {}) }],
    })
    .onConflictDoNothing()
    .returning();
  const created = rows[0];
  if (!created && input.queued) {
    const [queued] = await tx
      .select()
      .from(deployments)
      .where(
        and(eq(deployments.environment, input.environment), eq(deployments.releaseId, input.releaseId), eq(deployments.status, 'queued')),
      );
    if (!queued) throw new Error(`queued insert for ${input.environment} conflicted but the release is not queued`);
    return { conflict: queued };
  }
  if (!created) {
    const active = await findActiveDeployment(tx, { environment: input.environment });
    if (!active) throw new Error(`deployment insert for ${input.environment} conflicted but no active deployment exists`);
    return { conflict: active };
  }
  await tx.insert(deploymentSteps).values(input.steps.map((step, position) => ({ deploymentId: created.id, step, position })));
  await recordAudit(tx, {
    actor: { name: input.startedBy, tokenId: input.startedByTokenId },
    action: input.isRollback ? 'deployment.rollback_requested' : 'deployment.requested',
    subjectType: 'deployment',
    subjectId: String(created.id),
    requestId: input.requestId ?? null,
    details: {
      environment: input.environment,
      releaseId: input.releaseId,
      previousReleaseId: input.previousReleaseId,
      reason: input.reason,
      ...(input.whenOpen ? { whenOpen: true } : {}),
      ...(input.breakGlassReason ? { breakGlass: input.breakGlassReason } : {}),
      ...(input.queued ? { queued: true } : {}),
    },
  });
  if (input.breakGlassReason) {
    // Break-glass is its own audit event, so it can be found and reviewed on its own (docs/governance.md).
    await recordAudit(tx, {
      actor: { name: input.startedBy, tokenId: input.startedByTokenId },
      action: 'deployment.break_glass',
      subjectType: 'deployment',
      subjectId: String(created.id),
      requestId: input.requestId ?? null,
      details: { environment: input.environment, releaseId: input.releaseId, reason: input.breakGlassReason },
    });
  }
  return { created };
}

export async function findActiveDeployment(tx: Tx, input: { environment: string }): Promise<DeploymentRow | undefined> {
  const [row] = await tx
    .select()
    .from(deployments)
    .where(and(eq(deployments.environment, input.environment), inArray(deployments.status, [...ACTIVE_STATUSES])));
  return row;
}

export async function getDeployment(tx: Tx, input: { id: number; environment?: string }): Promise<DeploymentRow | undefined> {
  const where = input.environment
    ? and(eq(deployments.id, input.id), eq(deployments.environment, input.environment))
    : eq(deployments.id, input.id);
  const [row] = await tx.select().from(deployments).where(where);
  return row;
}

export async function getSteps(tx: Tx, input: { deploymentId: number }): Promise<StepRow[]> {
  return tx
    .select()
    .from(deploymentSteps)
    .where(eq(deploymentSteps.deploymentId, input.deploymentId))
    .orderBy(asc(deploymentSteps.position));
}

export async function listDeployments(
  tx: Tx,
  input: { environment?: string; releaseId?: string; status?: PromotionStatus; before?: number; limit: number },
): Promise<{ rows: DeploymentRow[]; hasMore: boolean }> {
  const conds: SQL[] = [];
  if (input.environment) conds.push(eq(deployments.environment, input.environment));
  if (input.releaseId) conds.push(eq(deployments.releaseId, input.releaseId));
  if (input.status) conds.push(eq(deployments.status, input.status));
  if (input.before !== undefined) conds.push(lt(deployments.id, input.before));
  const rows = await tx
    .select()
    .from(deployments)
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(desc(deployments.id))
    .limit(input.limit + 1);
  return { rows: rows.slice(0, input.limit), hasMore: rows.length > input.limit };
}

/** Environments in which the release has a succeeded deployment. */
export async function succeededEnvironments(tx: Tx, input: { releaseId: string }): Promise<string[]> {
  const rows = await tx
    .selectDistinct({ environment: deployments.environment })
    .from(deployments)
    .where(and(eq(deployments.releaseId, input.releaseId), eq(deployments.status, 'succeeded')));
  return rows.map((r) => r.environment);
}

export interface TransitionInput {
  deploymentId: number;
  status?: PromotionStatus;
  step?: string;
  stepStatus?: StepStatus;
  message?: string | null;
  action?: Omit<DeploymentAction, 'at'>;
  runId?: string;
  started?: boolean;
  revertSha?: string;
  requestId?: string | null;
  /**
   * Idempotency key of this transition (the workflow passes `<runId>:<sequence>`): a transition whose key was
   * applied already changes nothing and audits nothing, so a retried local activity never duplicates history.
   */
  key?: string;
  /** The run that sends the transition: a record owned by another run (or by none) is never touched. */
  ownerRunId?: string;
  /** While scheduled: when the freeze should end (ISO time); null clears it. */
  scheduledFor?: string | null;
}

/** Thrown when something tries to change a record that has ended (the SQL trigger would refuse it anyway). */
export class RecordEndedError extends Error {
  override readonly name = 'RecordEndedError';
}

/**
 * Applies a workflow transition to the history record + audit event, exactly once per `key`. A terminal record
 * never changes again (also enforced by the `deployments_lifecycle` trigger): the call is a no-op.
 */
export async function applyTransition(tx: Tx, input: TransitionInput): Promise<DeploymentRow> {
  return (await applyTransitionMoved(tx, input)).row;
}

/** applyTransition, also saying which status the record left (`from`: null when its status did not change). */
export async function applyTransitionMoved(tx: Tx, input: TransitionInput): Promise<{ row: DeploymentRow; from: PromotionStatus | null }> {
  const unchanged = (row: DeploymentRow) => ({ row, from: null });
  const [current] = await tx.select().from(deployments).where(eq(deployments.id, input.deploymentId)).for('update');
  if (!current) throw new Error(`deployment ${input.deploymentId} not found`);
  if (input.key) {
    const fresh = await tx
      .insert(deploymentTransitionKeys)
      .values({ key: input.key.slice(0, 200), deploymentId: input.deploymentId })
      .onConflictDoNothing()
      .returning();
    if (fresh.length === 0) return unchanged(current); // applied before: a retried activity
  }
  if (isTerminal(current.status)) return unchanged(current);
  if (input.ownerRunId !== undefined && current.runId !== input.ownerRunId) return unchanged(current);
  const set: Partial<typeof deployments.$inferInsert> = { updatedAt: new Date() };
  // Only transitions of the lifecycle graph change the status: a terminal record never changes again, and a
  // retried transition (same status) is a no-op.
  const moves = input.status !== undefined && canTransition(current.status, input.status);
  if (input.status && moves) {
    set.status = input.status;
    if (isTerminal(input.status)) set.finishedAt = new Date();
  }
  if (input.started && !current.startedAt) set.startedAt = new Date();
  if (input.runId) set.runId = input.runId;
  if (input.step) set.currentStep = input.step;
  if (input.message !== undefined) set.message = input.message;
  if (input.revertSha) set.revertSha = input.revertSha;
  if (input.scheduledFor !== undefined) set.scheduledFor = input.scheduledFor === null ? null : new Date(input.scheduledFor);
  const action = input.action ? { ...input.action, at: new Date().toISOString() } : undefined;
  if (action) set.actions = sql`${deployments.actions} || ${JSON.stringify([action])}::jsonb` as unknown as DeploymentAction[];
  const [row] = await tx.update(deployments).set(set).where(eq(deployments.id, input.deploymentId)).returning();
  if (!row) throw new Error(`deployment ${input.deploymentId} vanished`);
  if (input.step && input.stepStatus) {
    await ensureStepRow(tx, { deploymentId: input.deploymentId, step: input.step });
    const finished = input.stepStatus === 'succeeded' || input.stepStatus === 'failed' || input.stepStatus === 'skipped';
    await tx
      .update(deploymentSteps)
      .set({
        status: input.stepStatus,
        ...(input.message !== undefined ? { message: input.message } : {}),
        ...(finished ? { finishedAt: new Date() } : {}),
      })
      .where(and(eq(deploymentSteps.deploymentId, input.deploymentId), eq(deploymentSteps.step, input.step)));
  }
  if (moves || action) {
    await recordAudit(tx, {
      actor: action && action.by !== 'system' ? { name: action.by, tokenId: action.tokenId ?? null } : SYSTEM,
      action: action ? `deployment.${action.action}` : `deployment.${input.status}`,
      subjectType: 'deployment',
      subjectId: String(input.deploymentId),
      requestId: input.requestId ?? null,
      details: {
        environment: current.environment,
        releaseId: current.releaseId,
        from: current.status,
        to: row.status,
        ...(input.step ? { step: input.step } : {}),
        ...(input.message ? { message: input.message } : {}),
        ...(action?.actionId ? { actionId: action.actionId } : {}),
      },
    });
  }
  return { row, from: moves ? current.status : null };
}

/**
 * Creates a step row that the deployment was not created with (the compensation steps of an abort), after
 * the forward rows; a no-op for an existing row.
 */
async function ensureStepRow(tx: Tx, input: { deploymentId: number; step: string }): Promise<void> {
  const index = ALL_STEPS.indexOf(input.step as (typeof ALL_STEPS)[number]);
  if (index < 0) return;
  await tx
    .insert(deploymentSteps)
    .values({ deploymentId: input.deploymentId, step: input.step, position: index })
    .onConflictDoNothing({ target: [deploymentSteps.deploymentId, deploymentSteps.step] });
}

/**
 * The step's row is running (created if missing, one more attempt) and the deployment's current step is this one,
 * in one statement: one commit where three autocommitted statements were (every step of every promotion writes it).
 * The deployment row is locked first, then the step row, as applyTransitionMoved does (no deadlock between them).
 * A step outside ALL_STEPS has no row: only the deployment's current step changes.
 */
export async function markStepStarted(tx: Tx, input: { deploymentId: number; step: string; attempt: number }): Promise<void> {
  const index = ALL_STEPS.indexOf(input.step as (typeof ALL_STEPS)[number]);
  if (index < 0) {
    await tx
      .update(deployments)
      .set({ currentStep: input.step, updatedAt: sql`now()` })
      .where(eq(deployments.id, input.deploymentId));
    return;
  }
  await tx.execute(sql`with locked as (select id from deployments where id = ${input.deploymentId} for update),
      d as (update deployments set current_step = ${input.step}, updated_at = now() where id = ${input.deploymentId})
    insert into deployment_steps (deployment_id, step, position, status, attempts, started_at)
    select id, ${input.step}, ${index}, 'running', 1, now() from locked
    on conflict (deployment_id, step) do update set status = 'running', attempts = deployment_steps.attempts + 1,
      started_at = coalesce(deployment_steps.started_at, now()), finished_at = null`);
}

export async function markStepProgress(
  tx: Tx,
  input: { deploymentId: number; step: string; message: string; observation?: Record<string, unknown> },
): Promise<void> {
  await tx
    .update(deploymentSteps)
    .set({ message: input.message, ...(input.observation ? { observation: input.observation } : {}) })
    .where(and(eq(deploymentSteps.deploymentId, input.deploymentId), eq(deploymentSteps.step, input.step)));
}

export async function markStepFinished(
  tx: Tx,
  input: { deploymentId: number; step: string; status: StepStatus; message: string; observation?: Record<string, unknown> },
): Promise<void> {
  await tx
    .update(deploymentSteps)
    .set({
      status: input.status,
      message: input.message,
      finishedAt: new Date(),
      ...(input.observation ? { observation: input.observation } : {}),
    })
    .where(and(eq(deploymentSteps.deploymentId, input.deploymentId), eq(deploymentSteps.step, input.step)));
}

export async function setCommitSha(tx: Tx, input: { deploymentId: number; sha: string }): Promise<void> {
  await tx
    .update(deployments)
    .set({ commitSha: input.sha, updatedAt: sql`now()` })
    .where(eq(deployments.id, input.deploymentId));
}

/** The record step: history success and the environment's current release, in one transaction. */
/**
 * The record step: the release becomes current. `sha` is the revision Argo CD converged on; `commitSha` the
 * deployment's own commit (null when the push found nothing to change; absent from older callers: `sha`).
 */
export async function recordSuccess(
  tx: Tx,
  input: { deploymentId: number; sha: string; commitSha?: string | null },
): Promise<DeploymentRow | undefined> {
  const commitSha = input.commitSha === undefined ? input.sha : input.commitSha;
  const [current] = await tx.select().from(deployments).where(eq(deployments.id, input.deploymentId)).for('update');
  if (!current) throw new Error(`deployment ${input.deploymentId} not found`);
  if (current.status === 'succeeded') return undefined; // a retried record after a crash
  if (current.status !== 'running') throw new RecordEndedError(`deployment ${current.id} is ${current.status}; it cannot succeed`);
  await tx
    .update(deployments)
    .set({ status: 'succeeded', finishedAt: new Date(), currentStep: null, message: null, commitSha, updatedAt: sql`now()` })
    .where(eq(deployments.id, input.deploymentId));
  await tx
    .update(deploymentSteps)
    .set({
      status: 'succeeded',
      attempts: sql`greatest(${deploymentSteps.attempts}, 1)`,
      startedAt: sql`coalesce(${deploymentSteps.startedAt}, now())`,
      finishedAt: new Date(),
      message: `current release of ${current.environment} is ${current.releaseId}`,
    })
    .where(and(eq(deploymentSteps.deploymentId, input.deploymentId), eq(deploymentSteps.step, 'record')));
  // A run that did not take the verification-gates change (it started on an older worker) never ran the verify
  // step its record was created with: that row must not stay pending for good.
  await tx
    .update(deploymentSteps)
    .set({ status: 'skipped', finishedAt: new Date(), message: 'not run: this promotion started before verification gates existed' })
    .where(
      and(eq(deploymentSteps.deploymentId, input.deploymentId), eq(deploymentSteps.step, 'verify'), eq(deploymentSteps.status, 'pending')),
    );
  await tx
    .update(environments)
    .set({ currentReleaseId: current.releaseId, currentDeploymentId: current.id, updatedAt: sql`now()` })
    .where(eq(environments.name, current.environment));
  await recordAudit(tx, {
    actor: SYSTEM,
    action: 'deployment.succeeded',
    subjectType: 'deployment',
    subjectId: String(current.id),
    details: {
      environment: current.environment,
      releaseId: current.releaseId,
      previousReleaseId: current.previousReleaseId,
      commitSha,
      syncedRevision: input.sha,
      isRollback: current.isRollback,
    },
  });
  return current;
}

/** Marks a pending deployment whose workflow could not be started as failed. */
export async function failUnstarted(tx: Tx, input: { deploymentId: number; message: string }): Promise<void> {
  await applyTransition(tx, { deploymentId: input.deploymentId, status: 'failed', message: input.message });
}
