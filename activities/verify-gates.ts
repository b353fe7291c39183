// Step "verify" (docs/verification-and-monitoring.md, "Verification gates") and the environment's re-verification.
//   planVerification  (local activity) the environment's checks, names and timing only; with none configured the
//                     step row is recorded `skipped` here and no check activity runs (since verify-plan-in-images
//                     verify-images does that itself when no hold applies: skipVerifyWhenUnconfigured).
//   verifyGates       the promotion's step: runs the checks (verification-engine.ts), heartbeating their progress
//                     and writing it to the step row (observation = evidence). Pass: resolves the environment's open
//                     `verification-failed` incidents. Fail with onFailure `park`: a non-retryable VerificationFailed
//                     (the promotion parks, an operator's retry runs the step again). Fail with `rollback`: opens a
//                     `verification-failed` incident with the evidence and returns `rollback` (the promotion fails;
//                     the monitor applies the environment's rollback policy to the incident).
//   reverifyChecks    the same checks against the current release (workflow reverifyEnvironment): pass resolves open
//                     `verification-failed` incidents; fail revokes the release's verification there and opens one.
// A retried attempt runs every check again from its first sample (a gate that spans a worker crash is judged
// whole). Cancellation (an abort) reaches the attempt through its heartbeats.
import { activityInfo, ApplicationFailure, cancellationSignal, heartbeat } from '@temporalio/activity';
import type { ActivityDeps } from './deps.js';
import { promotionHeld, throwIfHeld } from './admission.js';
import { hook, isAtStep, loadContext, toFailure, type PromotionContext, type StepInput } from './promotion-context.js';
import { runChecks, type ChecksReport } from './verification-engine.js';
import { CheckConfigurationError } from './verification-probes.js';
import { markStepFinished, markStepProgress, markStepStarted } from '../db/deployments.js';
import { openOrTouchIncident, recordIncidentAction, resolveIncidents } from '../db/incidents.js';
import { revokeVerification } from '../db/verifications.js';
import { recordAudit } from '../db/audit.js';
import type { Tx } from '../db/client.js';
import { FAILURE, STEP } from '../domain/promotion.js';
import type { CheckProgress } from '../domain/verification-checks.js';
import { VerificationConfig, type VerificationFailurePolicy } from '../domain/verification.js';

/** Longest message kept for the history record and the park (evidence is in the step's observation). */
const MAX_MESSAGE = 1_000;

export interface PlannedCheck {
  name: string;
  kind: string;
  durationSeconds: number;
  intervalSeconds: number;
  timeoutSeconds: number;
}
export interface PlanVerificationInput extends StepInput {
  /** Record the step row (`skipped` when nothing is configured); false for a re-verification. */
  record: boolean;
}
export interface PlanVerificationResult {
  checks: PlannedCheck[];
  onFailure: VerificationFailurePolicy;
}
export interface VerifyGatesInput {
  deploymentId: number;
}
export interface CheckSummary {
  name: string;
  kind: string;
  outcome: string;
  samples: number;
  message: string;
}
export interface VerifyGatesResult {
  status: 'succeeded' | 'failed';
  message: string;
  /** A failed gate under onFailure `rollback`: the incident opened; the promotion ends failed. */
  rollback?: { incidentId: number };
  checks: CheckSummary[];
}
export interface ReverifyChecksInput {
  environment: string;
  /** The deployment that made the current release current. */
  deploymentId: number;
  releaseId: string;
  requestedBy: string;
  reason: string | null;
  requestId?: string | null;
}
export interface ReverifyChecksResult {
  passed: boolean;
  message: string;
  revoked: boolean;
  incidentId: number | null;
  checks: CheckSummary[];
}

/** The verify step of a promotion whose environment configures no check: recorded `skipped`. */
async function recordSkipped(deps: ActivityDeps, deploymentId: number, attempt: number): Promise<void> {
  await markStepStarted(deps.database.db, { deploymentId, step: STEP.verify, attempt });
  await markStepFinished(deps.database.db, {
    deploymentId,
    step: STEP.verify,
    status: 'skipped',
    message: 'no verification checks configured',
  });
}

/**
 * The planner's work for the common case, done by the verify-images activity right after its own step (workflow
 * change `verify-plan-in-images`: no local activity round trip before the record): when the environment
 * configures no check and nothing holds the promotion, the verify step is recorded `skipped` and true is
 * returned. Anything else (checks to run, a hold, an invalid configuration, a failure here) answers false and
 * leaves the step to the planner, which reports it as before.
 */
export async function skipVerifyWhenUnconfigured(deps: ActivityDeps, input: { deploymentId: number }): Promise<boolean> {
  try {
    // Holds are checked whatever the input says: planVerify comes with holds-in-step (both are in every new run).
    if ((await promotionHeld(deps, input.deploymentId)) !== null) return false;
    const { deployment, environment } = await loadContext(deps, input.deploymentId);
    const parsed = VerificationConfig.safeParse(environment.verification ?? {});
    if (!parsed.success || parsed.data.checks.length > 0) return false;
    // Not after an abort: an activity left running must not record the next step (the row just read says where it is).
    if (!isAtStep(deployment, STEP.verifyImages)) return false;
    await recordSkipped(deps, input.deploymentId, 1);
    return true;
  } catch (err) {
    deps.logger.warn({ err: (err as Error).message }, 'verification planning left to the verify step');
    return false;
  }
}

function configOf(ctx: PromotionContext): VerificationConfig {
  const parsed = VerificationConfig.safeParse(ctx.environment.verification ?? {});
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(`environment ${ctx.environment.name}: invalid verification configuration`, FAILURE.configuration);
  }
  return parsed.data;
}

function summaries(checks: readonly CheckProgress[]): CheckSummary[] {
  return checks.map((c) => ({ name: c.name, kind: c.kind, outcome: c.outcome, samples: c.samples, message: c.message.slice(0, 300) }));
}

const cap = (text: string) => (text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text);

/**
 * Runs the checks with a heartbeat (and, for the promotion, a progress write to the step row) on a timer, so
 * long intervals never starve the heartbeat and an abort's cancellation arrives within a heartbeat.
 */
async function runWithProgress(
  deps: ActivityDeps,
  ctx: PromotionContext,
  config: VerificationConfig,
  write?: (progress: CheckProgress[]) => Promise<void>,
): Promise<ChecksReport> {
  const progress: CheckProgress[] = [];
  const heartbeatMs = activityInfo().heartbeatTimeoutMs;
  const tickMs = heartbeatMs ? Math.max(100, Math.floor(heartbeatMs / 3)) : 5_000;
  let lastWrite = 0;
  /** The progress write in flight: awaited before the step's final write, which must come last. */
  let writing: Promise<void> | undefined;
  const tick = () => {
    heartbeat({ checks: summaries(progress) });
    if (write && !writing && Date.now() - lastWrite >= 2_000) {
      lastWrite = Date.now();
      writing = write(progress)
        .catch(() => undefined)
        .finally(() => (writing = undefined));
    }
  };
  const timer = setInterval(tick, tickMs);
  tick();
  try {
    return await runChecks({ deps, ctx, checks: config.checks, cancel: cancellationSignal(), progress });
  } catch (err) {
    if (err instanceof CheckConfigurationError) throw ApplicationFailure.nonRetryable(err.message, FAILURE.configuration);
    throw toFailure(err);
  } finally {
    clearInterval(timer);
    await writing;
  }
}

/** The step row's message while the checks run: where each check stands. */
function runningMessage(progress: readonly CheckProgress[]): string {
  return cap(progress.map((p) => `${p.name}: ${p.outcome === 'running' ? p.message : p.outcome}`).join('; ') || 'checks starting');
}

/** Resolves the environment's open `verification-failed` incidents (a gate passed there again). */
function resolveGateIncidents(tx: Tx, environment: string) {
  return resolveIncidents(tx, { environment, stillOpen: [], onlyKinds: ['verification-failed'] });
}

function openGateIncident(tx: Tx, ctx: PromotionContext, deploymentId: number, report: ChecksReport) {
  return openOrTouchIncident(tx, {
    environment: ctx.environment.name,
    application: '',
    kind: 'verification-failed',
    releaseId: ctx.release.id,
    deploymentId,
    summary: cap(`verification failed: ${report.message}`),
    evidence: { checks: report.checks },
  });
}

export function createVerifyGates(deps: ActivityDeps) {
  const db = deps.database.db;
  return {
    async planVerification(input: PlanVerificationInput): Promise<PlanVerificationResult> {
      // The verify step's governance hold (since holds-in-step), before anything is recorded.
      if (input.checkHolds && activityInfo().attempt === 1) await throwIfHeld(deps, input.deploymentId);
      const ctx = await loadContext(deps, input.deploymentId);
      const config = configOf(ctx);
      if (config.checks.length === 0 && input.record) await recordSkipped(deps, input.deploymentId, activityInfo().attempt);
      return {
        checks: config.checks.map((c) => ({
          name: c.name,
          kind: c.kind,
          durationSeconds: c.durationSeconds,
          intervalSeconds: c.intervalSeconds,
          timeoutSeconds: 'timeoutSeconds' in c ? c.timeoutSeconds : 30,
        })),
        onFailure: config.onFailure,
      };
    },

    async verifyGates(input: VerifyGatesInput): Promise<VerifyGatesResult> {
      const { deploymentId } = input;
      await markStepStarted(db, { deploymentId, step: STEP.verify, attempt: activityInfo().attempt });
      await hook(deps, 'verify:start', deploymentId);
      const ctx = await loadContext(deps, deploymentId);
      const config = configOf(ctx);
      const observe = (checks: readonly CheckProgress[]) => ({ checks, onFailure: config.onFailure });
      let report: ChecksReport;
      try {
        report = await runWithProgress(deps, ctx, config, (progress) =>
          markStepProgress(db, { deploymentId, step: STEP.verify, message: runningMessage(progress), observation: observe(progress) }),
        );
      } catch (err) {
        await markStepProgress(db, {
          deploymentId,
          step: STEP.verify,
          message: `attempt ${activityInfo().attempt}: ${(err as Error).message}`,
        }).catch(() => undefined);
        throw err;
      }
      const checks = summaries(report.checks);
      if (report.passed) {
        await db.transaction(async (tx) => {
          await markStepFinished(tx, {
            deploymentId,
            step: STEP.verify,
            status: 'succeeded',
            message: cap(report.message),
            observation: observe(report.checks),
          });
          await resolveGateIncidents(tx, ctx.environment.name);
        });
        return { status: 'succeeded', message: cap(report.message), checks };
      }
      const message = cap(`verification failed: ${report.message}`);
      if (config.onFailure === 'rollback') {
        const incident = await db.transaction(async (tx) => {
          await markStepFinished(tx, { deploymentId, step: STEP.verify, status: 'failed', message, observation: observe(report.checks) });
          const opened = (await openGateIncident(tx, ctx, deploymentId, report)).incident;
          // The promotion rolls back itself: it reverts its own commit (workflow change verification-rollback-reverts),
          // so the environment runs its current release again; that is the incident's one automatic action.
          await recordIncidentAction(tx, {
            id: opened.id,
            action: 'rolled-back',
            deploymentId,
            message: 'the failed promotion reverts its own commit',
          });
          return opened;
        });
        return {
          status: 'failed',
          message: cap(`${message}; incident ${incident.id} opened (onFailure: rollback)`),
          rollback: { incidentId: incident.id },
          checks,
        };
      }
      await markStepProgress(db, { deploymentId, step: STEP.verify, message, observation: observe(report.checks) });
      throw ApplicationFailure.nonRetryable(message, FAILURE.verificationFailed, { checks });
    },

    async reverifyChecks(input: ReverifyChecksInput): Promise<ReverifyChecksResult> {
      const ctx = await loadContext(deps, input.deploymentId);
      const config = configOf(ctx);
      const report = await runWithProgress(deps, ctx, config);
      const checks = summaries(report.checks);
      const actor = { name: input.requestedBy, tokenId: null };
      return db.transaction(async (tx) => {
        let revoked = false;
        let incidentId: number | null = null;
        if (report.passed) await resolveGateIncidents(tx, input.environment);
        else {
          const reason = cap(`re-verification failed: ${report.message}`);
          revoked = !!(await revokeVerification(tx, { environment: input.environment, releaseId: input.releaseId, reason, actor }));
          incidentId = (await openGateIncident(tx, ctx, input.deploymentId, report)).incident.id;
        }
        await recordAudit(tx, {
          actor,
          action: report.passed ? 'environment.reverify_passed' : 'environment.reverify_failed',
          subjectType: 'environment',
          subjectId: input.environment,
          requestId: input.requestId ?? null,
          details: { releaseId: input.releaseId, message: cap(report.message), revoked, ...(incidentId ? { incidentId } : {}), checks },
        });
        return { passed: report.passed, message: cap(report.message), revoked, incidentId, checks };
      });
    },
  };
}
