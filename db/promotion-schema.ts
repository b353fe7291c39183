// Drizzle schema of the promotion side: environments, deployments (the deployment-history records) and
// their steps. Kept apart from db/schema.ts (templates, releases, tokens, audit) so each half reads alone.
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { apiTokens, releases } from './schema.js';
import { sqlList } from './sql-list.js';
import type { ArgoTarget, ClusterTarget, GitopsTarget, KubeTarget } from '../domain/environment.js';
import type { MonitoringConfig, UpstreamRequirement, VerificationConfig } from '../domain/verification.js';
import type { AutoPromoteConfig } from '../domain/auto-promotion.js';
import {
  ACTIVE_STATUSES,
  OPERATOR_ACTION_OUTCOMES,
  OPERATOR_ACTIONS,
  PROMOTION_STATUSES,
  QUEUE_POLICIES,
  type OperatorAction,
  type OperatorActionOutcome,
  type PromotionAction,
  type PromotionStatus,
  type QueuePolicy,
  type StepName,
  type StepStatus,
} from '../domain/promotion.js';
import { UPSTREAM_REQUIREMENTS } from '../domain/verification.js';

/** An environment: where releases are promoted to, its rules, its targets, and its current release. */
export const environments = pgTable(
  'environments',
  {
    name: text('name').primaryKey(),
    displayOrder: integer('display_order').notNull(),
    /** Environments the release must have succeeded in first. */
    upstream: text('upstream')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    protected: boolean('protected').notNull().default(false),
    approvalsRequired: integer('approvals_required').notNull().default(0),
    /** Token names allowed to approve; empty = any promoter in scope other than the initiator. */
    approvers: text('approvers')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    approvalTimeoutSeconds: integer('approval_timeout_seconds').notNull().default(86_400),
    /** Wait timer of the approval gate (domain/approval.ts): approvals count only this long after the gate was reached. */
    approvalWaitSeconds: integer('approval_wait_seconds').notNull().default(0),
    gitops: jsonb('gitops').$type<GitopsTarget>().notNull(),
    argocd: jsonb('argocd').$type<ArgoTarget>().notNull(),
    kubernetes: jsonb('kubernetes').$type<KubeTarget>().notNull(),
    /** Name of the top-level target's cluster (null: DEFAULT_CLUSTER_NAME, domain/clusters.ts). */
    clusterName: text('cluster_name'),
    /** Further clusters, each with its own Argo CD and Kubernetes target (empty: a single-cluster environment). */
    clusters: jsonb('clusters')
      .$type<ClusterTarget[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    convergenceDeadlineSeconds: integer('convergence_deadline_seconds').notNull().default(600),
    /** A Degraded application is final only after staying Degraded this long on fresh reconciles. */
    degradedGraceSeconds: integer('degraded_grace_seconds').notNull().default(60),
    /** What each upstream environment must have done with a release first (domain/verification.ts). */
    upstreamRequires: text('upstream_requires').$type<UpstreamRequirement>().notNull().default('succeeded'),
    /** How queued promotions wait (domain/promotion.ts QUEUE_POLICIES; docs/governance.md "Queues"). */
    queuePolicy: text('queue_policy').$type<QueuePolicy>().notNull().default('fifo'),
    /** Verification gates and soak (null: none). */
    verification: jsonb('verification').$type<VerificationConfig>(),
    /** Continuous monitoring (null: the defaults of MonitoringConfig). */
    monitoring: jsonb('monitoring').$type<MonitoringConfig>(),
    /** Auto-promotion from an upstream environment (null: none; docs/governance.md "Auto-promotion"). */
    autoPromote: jsonb('auto_promote').$type<AutoPromoteConfig>(),
    /** Set only by a successful promotion (the record step). */
    currentReleaseId: uuid('current_release_id').references(() => releases.id),
    currentDeploymentId: bigint('current_deployment_id', { mode: 'number' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    check('environments_approvals_check', sql`${t.approvalsRequired} >= 0`),
    check('environments_upstream_requires_check', sql`${t.upstreamRequires} in (${sqlList(UPSTREAM_REQUIREMENTS)})`),
    check('environments_queue_policy_check', sql`${t.queuePolicy} in (${sqlList(QUEUE_POLICIES)})`),
  ],
);

// The status vocabulary lives in domain/promotion.ts: the SQL check constraint and the partial index below
// are built from its lists, and db/vocabulary.test.ts checks the migrated database against them.

export interface DeploymentAction {
  action: PromotionAction;
  by: string;
  at: string;
  comment?: string;
  step?: string;
  /** The operator_actions row that authorized it (operator actions sent through the API). */
  actionId?: string;
  tokenId?: string;
}

/** One promotion of one release to one environment: the deployment-history record. */
export const deployments = pgTable(
  'deployments',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    environment: text('environment')
      .notNull()
      .references(() => environments.name),
    releaseId: uuid('release_id')
      .notNull()
      .references(() => releases.id),
    previousReleaseId: uuid('previous_release_id').references(() => releases.id),
    isRollback: boolean('is_rollback').notNull().default(false),
    status: text('status').$type<PromotionStatus>().notNull(),
    reason: text('reason'),
    startedBy: text('started_by').notNull(),
    startedByTokenId: uuid('started_by_token_id'),
    workflowId: text('workflow_id').notNull(),
    runId: text('run_id'),
    currentStep: text('current_step'),
    commitSha: text('commit_sha'),
    revertSha: text('revert_sha'),
    message: text('message'),
    /** Requested with `whenOpen`: waits (status `scheduled`) while a freeze window is open instead of being refused. */
    whenOpen: boolean('when_open').notNull().default(false),
    /** While scheduled: when the freeze should end (recomputed at every wake-up). */
    scheduledFor: timestamp('scheduled_for', { withTimezone: true, mode: 'date' }),
    /** Break-glass: an admin started it through a freeze, with this mandatory reason (docs/governance.md). */
    breakGlassReason: text('break_glass_reason'),
    /** Requested with `queue: true` while the environment was busy: when it was queued (kept after it starts). */
    queuedAt: timestamp('queued_at', { withTimezone: true, mode: 'date' }),
    actions: jsonb('actions').$type<DeploymentAction[]>().notNull().default([]),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }),
    finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    check('deployments_status_check', sql`${t.status} in (${sqlList(PROMOTION_STATUSES)})`),
    // At most one active promotion per environment, enforced by the database.
    uniqueIndex('deployments_one_active_idx')
      .on(t.environment)
      .where(sql`${t.status} in (${sqlList(ACTIVE_STATUSES)})`),
    index('deployments_env_idx').on(t.environment, t.id),
    index('deployments_release_idx').on(t.releaseId, t.id),
    // The history page filtered by status (keyset on id, newest first).
    index('deployments_env_status_idx').on(t.environment, t.status, t.id),
    // DORA (db/dora.ts): an environment's finished promotions by status in time order, and its rollbacks by start.
    index('deployments_env_status_finished_idx')
      .on(t.environment, t.status, t.finishedAt)
      .where(sql`${t.finishedAt} is not null`),
    index('deployments_env_rollback_idx')
      .on(t.environment, t.createdAt)
      .where(sql`${t.isRollback}`),
    // Auto-promotion (db/auto-promotion.ts): was a release rolled back away from, in an environment.
    index('deployments_rollback_from_idx')
      .on(t.previousReleaseId, t.environment)
      .where(sql`${t.isRollback}`),
    // A release waits at most once in an environment's queue (a repeated request finds its row).
    uniqueIndex('deployments_one_queued_idx')
      .on(t.environment, t.releaseId)
      .where(sql`${t.status} = 'queued'`),
  ],
);

/** Step-by-step progress of a deployment. */
export const deploymentSteps = pgTable(
  'deployment_steps',
  {
    deploymentId: bigint('deployment_id', { mode: 'number' })
      .notNull()
      .references(() => deployments.id),
    step: text('step').notNull(),
    position: integer('position').notNull(),
    status: text('status').$type<StepStatus>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }),
    finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }),
    message: text('message'),
    observation: jsonb('observation').$type<Record<string, unknown>>(),
  },
  (t) => [primaryKey({ columns: [t.deploymentId, t.step] })],
);

/**
 * Operator actions (approve, retry, abort) as the API authorized them: written by the API before it sends
 * the Workflow Update, which carries only the row's id. The workflow verifies and consumes the row (once)
 * before the action counts, so an Update sent straight to Temporal without a row is not an action.
 */
export const operatorActions = pgTable(
  'operator_actions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    deploymentId: bigint('deployment_id', { mode: 'number' })
      .notNull()
      .references(() => deployments.id),
    action: text('action').$type<OperatorAction>().notNull(),
    tokenId: uuid('token_id')
      .notNull()
      .references(() => apiTokens.id),
    principal: text('principal').notNull(),
    role: text('role').notNull(),
    /** The token's environment scopes when it acted. */
    scope: text('scope')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    requestId: text('request_id'),
    comment: text('comment'),
    leaveGit: boolean('leave_git').notNull().default(false),
    /** A retry's restart step (`fromStep`), as the operator asked for it. */
    fromStep: text('from_step').$type<StepName>(),
    outcome: text('outcome').$type<OperatorActionOutcome>().notNull().default('pending'),
    outcomeReason: text('outcome_reason'),
    /** The workflow run and Update that consumed it (a retried verification of the same Update is a no-op). */
    runId: text('run_id'),
    updateId: text('update_id'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    decidedAt: timestamp('decided_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    check('operator_actions_action_check', sql`${t.action} in (${sqlList(OPERATOR_ACTIONS)})`),
    check('operator_actions_outcome_check', sql`${t.outcome} in (${sqlList(OPERATOR_ACTION_OUTCOMES)})`),
    index('operator_actions_deployment_idx').on(t.deploymentId, t.createdAt),
  ],
);

/** Idempotency keys of applied transitions: a retried bookkeeping activity finds its key and changes nothing. */
export const deploymentTransitionKeys = pgTable('deployment_transition_keys', {
  key: text('key').primaryKey(),
  deploymentId: bigint('deployment_id', { mode: 'number' })
    .notNull()
    .references(() => deployments.id),
  appliedAt: timestamp('applied_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});
