// Operator actions (approve, reject, retry, abort) as the API authorized them. The API writes the row, then sends the
// Workflow Update with only the row's id; the workflow verifies and consumes the row (a local activity) before
// the action counts. Anything that reaches the workflow without a matching, unconsumed row is refused and
// audited (`deployment.forged_action_rejected`): Temporal access alone does not make an approval.
import { and, eq, ne, sql } from 'drizzle-orm';
import type { Tx } from './client.js';
import { recordAudit } from './audit.js';
import { apiTokens } from './schema.js';
import { deployments, environments, operatorActions } from './promotion-schema.js';
import { isActive, type OperatorAction, type StepName } from '../domain/promotion.js';
import { approvalWaitRemainingMs, isEligibleApprover } from '../domain/approval.js';
import { events } from './event-schema.js';

export type OperatorActionRow = typeof operatorActions.$inferSelect;

export interface InsertOperatorActionInput {
  deploymentId: number;
  action: OperatorAction;
  actor: { tokenId: string; principal: string; name: string; role: string; scopes: string[] };
  requestId: string | null;
  comment: string | null;
  leaveGit: boolean;
  /** A retry's restart step, as the operator asked for it (checked by the workflow against its state). */
  fromStep?: StepName | null;
}

/** Records an action the API authorized (role and scope checked by its guard), with its audit event. */
export async function insertOperatorAction(tx: Tx, input: InsertOperatorActionInput): Promise<OperatorActionRow> {
  const [row] = await tx
    .insert(operatorActions)
    .values({
      deploymentId: input.deploymentId,
      action: input.action,
      tokenId: input.actor.tokenId,
      principal: input.actor.principal,
      role: input.actor.role,
      scope: input.actor.scopes,
      requestId: input.requestId,
      comment: input.comment,
      leaveGit: input.leaveGit,
      fromStep: input.fromStep ?? null,
    })
    .returning();
  if (!row) throw new Error('operator action insert returned no row');
  await recordAudit(tx, {
    actor: { name: input.actor.principal, tokenId: input.actor.tokenId },
    action: `deployment.${input.action}_requested`,
    subjectType: 'deployment',
    subjectId: String(input.deploymentId),
    requestId: input.requestId,
    details: {
      actionId: row.id,
      tokenName: input.actor.name,
      role: input.actor.role,
      ...(input.comment ? { comment: input.comment } : {}),
    },
  });
  return row;
}

/** Marks an action the workflow refused through its validator (the Update failed before it counted). */
export async function rejectOperatorAction(tx: Tx, input: { actionId: string; reason: string }): Promise<void> {
  await tx
    .update(operatorActions)
    .set({ outcome: 'rejected', outcomeReason: input.reason.slice(0, 500), decidedAt: new Date() })
    .where(and(eq(operatorActions.id, input.actionId), eq(operatorActions.outcome, 'pending')));
}

export interface VerifyOperatorActionInput {
  actionId: string | undefined;
  deploymentId: number;
  action: OperatorAction;
  runId: string;
  updateId: string;
  /** What the Update claimed besides the id (a forged `by`), kept for the audit event only. */
  claimedBy?: string;
}

export type VerifiedAction =
  | {
      ok: true;
      principal: string;
      tokenId: string;
      requestId: string | null;
      comment: string | null;
      leaveGit: boolean;
      fromStep: StepName | null;
    }
  | { ok: false; reason: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Verifies an operator action for this run and consumes it exactly once: the row exists, names this
 * deployment and action, is unconsumed (or was consumed by this very Update: a retried local activity), its
 * token is not revoked, and, for approvals and rejections, the principal may decide (not the initiator's, listed
 * or in a listed group when the environment lists approvers; an approval after the wait timer and not already
 * counted; a rejection only at the gate). Anything else is refused and audited.
 */
export async function verifyOperatorAction(tx: Tx, input: VerifyOperatorActionInput): Promise<VerifiedAction> {
  const [deployment] = await tx.select().from(deployments).where(eq(deployments.id, input.deploymentId)).for('update');
  const row =
    input.actionId && UUID.test(input.actionId)
      ? (await tx.select().from(operatorActions).where(eq(operatorActions.id, input.actionId)).for('update'))[0]
      : undefined;
  const refuse = async (reason: string, forged: boolean): Promise<VerifiedAction> => {
    if (row && row.outcome === 'pending' && !forged) {
      await tx
        .update(operatorActions)
        .set({ outcome: 'rejected', outcomeReason: reason, runId: input.runId, updateId: input.updateId, decidedAt: new Date() })
        .where(eq(operatorActions.id, row.id));
    }
    if (deployment) {
      await recordAudit(tx, {
        actor: !forged && row ? { name: row.principal, tokenId: row.tokenId } : { name: 'unverified-temporal-update', tokenId: null },
        action: forged ? 'deployment.forged_action_rejected' : 'deployment.action_rejected',
        subjectType: 'deployment',
        subjectId: String(input.deploymentId),
        requestId: !forged && row ? row.requestId : null,
        details: {
          action: input.action,
          reason,
          runId: input.runId,
          updateId: input.updateId.slice(0, 200),
          ...(input.actionId ? { actionId: input.actionId.slice(0, 100) } : {}),
          ...(input.claimedBy ? { claimedBy: input.claimedBy.slice(0, 100) } : {}),
        },
      });
    }
    return { ok: false, reason };
  };

  if (!deployment) return refuse(`deployment ${input.deploymentId} does not exist`, true);
  if (!row) return refuse('no operator action recorded by the API for this Update (an Update sent around the API)', true);
  // A reject is sent as the abort Update (domain/promotion.ts OPERATOR_ACTIONS).
  const matches = row.action === input.action || (row.action === 'reject' && input.action === 'abort');
  if (row.deploymentId !== input.deploymentId || !matches) {
    return refuse(`operator action ${row.id} is a ${row.action} of deployment ${row.deploymentId}`, true);
  }
  if (row.outcome === 'applied') {
    if (row.runId === input.runId && row.updateId === input.updateId) return verified(row); // retried local activity
    return refuse(`operator action ${row.id} was already used`, true);
  }
  if (row.outcome === 'rejected') return refuse(`operator action ${row.id} was rejected: ${row.outcomeReason ?? ''}`, true);
  if (deployment.runId !== input.runId) return refuse(`deployment ${deployment.id} does not belong to this run`, true);
  if (!isActive(deployment.status)) return refuse(`deployment ${deployment.id} has ended (${deployment.status})`, false);

  const [token] = await tx.select().from(apiTokens).where(eq(apiTokens.id, row.tokenId));
  if (!token || token.revokedAt) return refuse('the token that requested the action has been revoked', false);

  if (row.action === 'approve' || row.action === 'reject') {
    const decision = row.action === 'approve' ? 'approve' : 'reject';
    const initiator = await initiatorPrincipal(tx, deployment);
    if (row.principal === initiator) return refuse(`the initiator of a promotion cannot ${decision} it`, false);
    const [env] = await tx.select().from(environments).where(eq(environments.name, deployment.environment));
    if (!isEligibleApprover(env?.approvers ?? [], row.principal, token.groups)) {
      return refuse(`${row.principal} is not an approver of ${deployment.environment}`, false);
    }
    if (row.action === 'reject' && deployment.status !== 'awaiting_approval') {
      return refuse(`deployment ${deployment.id} is ${deployment.status}, not awaiting approval`, false);
    }
    // The last approval may have completed the quorum while the workflow has not recorded `running` yet: a reject
    // then comes too late (the deployment row is locked: approvals and rejects are verified one at a time).
    if (row.action === 'reject') {
      const [approved] = await tx
        .select({ n: sql<number>`count(distinct ${operatorActions.principal})::int` })
        .from(operatorActions)
        .where(
          and(
            eq(operatorActions.deploymentId, deployment.id),
            eq(operatorActions.action, 'approve'),
            eq(operatorActions.outcome, 'applied'),
          ),
        );
      if ((approved?.n ?? 0) >= (env?.approvalsRequired ?? 1))
        return refuse(`deployment ${deployment.id} already has its approvals`, false);
    }
    if (row.action === 'approve') {
      const gate = await approvalGateEnteredAt(tx, deployment.id);
      const waitMs = approvalWaitRemainingMs(gate.at, env?.approvalWaitSeconds ?? 0, gate.now);
      if (waitMs > 0) return refuse(`approvals open in ${Math.ceil(waitMs / 1000)} s (wait timer of ${deployment.environment})`, false);
      const earlier = await tx
        .select({ id: operatorActions.id })
        .from(operatorActions)
        .where(
          and(
            eq(operatorActions.deploymentId, deployment.id),
            eq(operatorActions.action, 'approve'),
            eq(operatorActions.outcome, 'applied'),
            eq(operatorActions.principal, row.principal),
            ne(operatorActions.id, row.id),
          ),
        );
      if (earlier.length > 0) return refuse(`${row.principal} has already approved`, false);
    }
  }

  await tx
    .update(operatorActions)
    .set({ outcome: 'applied', runId: input.runId, updateId: input.updateId, decidedAt: new Date() })
    .where(eq(operatorActions.id, row.id));
  return verified(row);
}

/**
 * When the deployment reached its approval gate (its event log: the status change to awaiting_approval), with the
 * database's own clock: both times come from PostgreSQL, so a worker's clock skew cannot shorten the wait timer.
 */
async function approvalGateEnteredAt(tx: Tx, deploymentId: number): Promise<{ at: Date | null; now: Date }> {
  const [row] = await tx
    .select({ at: sql<string | null>`max(${events.at})`, now: sql<string>`now()` })
    .from(events)
    .where(and(eq(events.deploymentId, deploymentId), eq(events.type, 'deployment'), sql`${events.data}->>'status' = 'awaiting_approval'`));
  return { at: row?.at ? new Date(row.at) : null, now: row ? new Date(row.now) : new Date() };
}

function verified(row: OperatorActionRow): VerifiedAction {
  return {
    ok: true,
    principal: row.principal,
    tokenId: row.tokenId,
    requestId: row.requestId,
    // The abort a reject becomes carries its reason as the promotion's final message.
    comment: row.action === 'reject' ? `rejected at approval: ${row.comment ?? ''}` : row.comment,
    leaveGit: row.leaveGit,
    fromStep: row.fromStep,
  };
}

/** The principal who started a deployment: its token's principal (the name for records without a token). */
export async function initiatorPrincipal(tx: Tx, deployment: { startedBy: string; startedByTokenId: string | null }): Promise<string> {
  if (!deployment.startedByTokenId) return deployment.startedBy;
  const [token] = await tx.select({ principal: apiTokens.principal }).from(apiTokens).where(eq(apiTokens.id, deployment.startedByTokenId));
  return token?.principal ?? deployment.startedBy;
}
