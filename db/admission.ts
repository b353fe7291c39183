// Admission of a promotion run: the workflow's first activity re-checks, against the database, everything the
// API checked before it started the run, so that a workflow started straight on Temporal gains nothing. The
// record must be this environment's active one and belong to this run (or be pending with no run yet, which
// this call claims); the upstream rules must hold; and the approval policy is the environment's, whatever the
// workflow input says.
import { and, eq } from 'drizzle-orm';
import type { Tx } from './client.js';
import { recordAudit } from './audit.js';
import { deployments, environments } from './promotion-schema.js';
import { initiatorPrincipal } from './operator-actions.js';
import { isActive } from '../domain/promotion.js';
import { freezeWindowOf, listFreezeWindows } from './freezes.js';
import { freezeStateAt } from '../domain/freeze.js';
import { promotionRuleViolation } from './promotion-rules.js';
import { holdMessage, holdsOn } from './holds.js';

export interface AdmitInput {
  deploymentId: number;
  releaseId: string;
  environment: string;
  workflowId: string;
  runId: string;
}

export interface ApprovalPolicy {
  required: number;
  approvers: string[];
  timeoutSeconds: number;
}

export type Admission =
  | {
      admitted: true;
      approval: ApprovalPolicy | null;
      initiator: string;
      isRollback: boolean;
      convergenceDeadlineSeconds: number;
    }
  | { admitted: false; reason: string };

/** Admits (and claims) the deployment for this run, or refuses without touching it (an audit event says why). */
export async function admitDeployment(tx: Tx, input: AdmitInput): Promise<Admission> {
  const [d] = await tx.select().from(deployments).where(eq(deployments.id, input.deploymentId)).for('update');
  const refuse = async (reason: string): Promise<Admission> => {
    await recordAudit(tx, {
      actor: { name: 'unverified-workflow-start', tokenId: null },
      action: 'deployment.admission_rejected',
      subjectType: 'deployment',
      subjectId: String(input.deploymentId),
      details: { reason, workflowId: input.workflowId.slice(0, 200), runId: input.runId, environment: input.environment.slice(0, 100) },
    });
    return { admitted: false, reason };
  };
  if (!d) return refuse(`deployment ${input.deploymentId} does not exist`);
  if (d.environment !== input.environment || d.releaseId !== input.releaseId) {
    return refuse(`deployment ${d.id} is release ${d.releaseId} in ${d.environment}, not what this run was started for`);
  }
  if (d.workflowId !== input.workflowId) return refuse(`deployment ${d.id} belongs to workflow ${d.workflowId}`);
  if (!isActive(d.status)) return refuse(`deployment ${d.id} has ended (${d.status})`);
  if (d.runId !== null && d.runId !== input.runId) return refuse(`deployment ${d.id} belongs to run ${d.runId}`);
  if (d.runId === null && d.status !== 'pending') return refuse(`deployment ${d.id} is ${d.status} without a run`);

  const [env] = await tx.select().from(environments).where(eq(environments.name, d.environment));
  if (!env) return refuse(`environment ${d.environment} does not exist`);
  if (d.runId === null) {
    // The API's rules, once more (a run that already claimed the record passed them).
    const violation = await promotionRuleViolation(tx, env, d.releaseId);
    if (violation) return refuse(violation.message);
    const held = holdMessage(await holdsOn(tx, { releaseId: d.releaseId, environment: env.name }));
    if (held) return refuse(held);
    // A freeze refuses the run, unless it was requested to wait for the window (`whenOpen`: the workflow waits,
    // status scheduled) or an admin broke the glass.
    const frozen = freezeStateAt((await listFreezeWindows(tx, { environment: env.name })).map(freezeWindowOf), Date.now());
    if (frozen.frozen && !d.whenOpen && d.breakGlassReason === null) {
      return refuse(`promotions to ${env.name} are frozen: ${frozen.blocks.map((b) => b.reason).join('; ')}`);
    }
    await tx
      .update(deployments)
      .set({ runId: input.runId, updatedAt: new Date() })
      .where(and(eq(deployments.id, d.id), eq(deployments.status, 'pending')));
  }
  return {
    admitted: true,
    approval: env.protected
      ? { required: env.approvalsRequired, approvers: env.approvers, timeoutSeconds: env.approvalTimeoutSeconds }
      : null,
    initiator: await initiatorPrincipal(tx, d),
    isRollback: d.isRollback,
    convergenceDeadlineSeconds: env.convergenceDeadlineSeconds,
  };
}
