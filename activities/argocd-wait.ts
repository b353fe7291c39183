// Step "argocd-wait" (and "revert-wait" of an abort): observes every application until the contract's
// convergence algorithm says our commit has converged (integrations/argocd-convergence.ts). Observations come from
// each application's Argo CD watch stream while it is live, and are judged on every event; otherwise (stream ended,
// broken, unavailable, or ARGOCD_WATCH=off) from GETs at the poll interval (activities/argocd-observe.ts). A
// `refresh` the assessment asks for is still a GET ?refresh=normal, at most once per poll interval. Heartbeats after
// every application observation (a slow Argo CD answer for one application never starves the heartbeat; each read
// is bounded well below the heartbeat timeout), and writes its last observation to the history record.
// A failed or replaced sync operation ends the step at once as SyncOperationFailed (an operator's retry
// syncs again); `Degraded` is final only when it persists on fresh reconciles for the environment's grace
// period; the environment's deadline bounds the wait. A retried wait judges only status reconciled after the
// retry began (`reconciledAfter`), and only an operation started after it when the retry synced again.
// Auto-sync mode: while Argo's automated sync has not reached our SHA, a sync window that holds it back ends the
// attempt as SyncWindowBlocked (activities/sync-window.ts) instead of waiting out the deadline; so does a window
// that holds a running operation before it applies ("Sync operation blocked by sync window").
import { activityInfo, ApplicationFailure, cancellationSignal, heartbeat } from '@temporalio/activity';
import { openApplicationStreams } from './argocd-observe.js';
import type { ActivityDeps } from './deps.js';
import { hook, loadContext, recordedStep, toFailure, writtenSourcesOf, type StepOutcome, type StepInput } from './promotion-context.js';
import { naming, targetApplications } from './promotion-targets.js';
import { usesAutomatedSync } from '../integrations/argocd-selection.js';
import { assessConvergence, type ConvergenceClause, type ConvergenceResult } from '../integrations/argocd-convergence.js';
import type { Application, ArgoClient } from '../integrations/argocd.js';
import { markStepProgress } from '../db/deployments.js';
import { promotionIdOf } from './argocd-sync.js';
import { syncWindowFailure, windowBlock } from './sync-window.js';
import { FAILURE, STEP, type StepName } from '../domain/promotion.js';

export interface ArgocdWaitInput extends StepInput {
  sha: string;
  /** Absolute deadline (workflow time) of the convergence. */
  deadlineAtMs: number;
  promotionId?: string;
  recordStep?: boolean;
  /** The history row to record into (default argocd-wait; revert-wait for an abort's revert). */
  step?: StepName;
  /** An operator's retry time (workflow time): status reconciled before it is not judged. */
  freshAfterMs?: number;
  /** Set when the retry synced again: an operation started before this time is not ours. */
  syncedAfterMs?: number;
}
export interface AppObservation {
  name: string;
  state: ConvergenceResult['state'];
  clause: ConvergenceResult['clause'];
  reason: string;
  health?: string;
  sync?: string;
}
export interface ArgocdWaitResult extends StepOutcome {
  /** Rounds of assessment (each after a stream event or a poll interval). */
  polls: number;
  /** Application GETs (polling, and refreshes) and watch stream events the wait used. */
  reads: number;
  events: number;
  applications: AppObservation[];
}

/** Clauses that mean our sync operation is not (or no longer) there to wait for: a retry must sync again. */
const NEEDS_RESYNC: ReadonlySet<ConvergenceClause> = new Set(['operation-failed', 'wrong-revision', 'operation-not-ours']);

/** Clauses of an auto-synced application whose automated operation has not reached our SHA yet. */
const AWAITING_AUTO_SYNC: ReadonlySet<ConvergenceClause> = new Set(['operation-not-ours', 'no-operation-state']);
/** controller/sync.go: the message of a Running operation a sync window holds. */
const OPERATION_HELD_BY_WINDOW = 'Sync operation blocked by sync window';
/** How often the wait reads such an application's sync windows. */
const WINDOW_READ_MS = 5000;

/** One application read, bounded below the heartbeat timeout (a blocking refresh must not outlive it). */
async function readApp(argo: ArgoClient, name: string, opts: Parameters<ArgoClient['getApplication']>[1]): Promise<Application> {
  const heartbeatMs = activityInfo().heartbeatTimeoutMs;
  if (!heartbeatMs) return argo.getApplication(name, opts);
  const boundMs = Math.max(1000, Math.floor(heartbeatMs / 2));
  let timer: NodeJS.Timeout | undefined;
  const read = argo.getApplication(name, opts);
  read.catch(() => undefined); // a read abandoned after the bound must not become an unhandled rejection
  try {
    return await Promise.race([
      read,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Argo CD read of ${name} took longer than ${boundMs} ms`)), boundMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export function createArgocdWait(deps: ActivityDeps) {
  const pollMs = deps.pollIntervalMs ?? 1000;
  return {
    async argocdWait(input: ArgocdWaitInput): Promise<ArgocdWaitResult> {
      const record = input.recordStep ?? true;
      const step = input.step ?? STEP.argocdWait;
      return recordedStep(deps, { deploymentId: input.deploymentId, step, record, holds: input.checkHolds }, async () => {
        const ctx = await loadContext(deps, input.deploymentId);
        // Every application of every cluster, keyed by its label (`<cluster>/<name>` with several clusters).
        const appRefs = await targetApplications(deps, ctx);
        const promotionId = promotionIdOf(input);
        const graceMs = (ctx.environment.degradedGraceSeconds ?? 0) * 1000;
        const observations = new Map<string, AppObservation>();
        const needRefresh = new Set<string>();
        /** Per application: when (worker time) and at which reconcile it was first seen Degraded. */
        const degradedSince = new Map<string, { atMs: number; reconciledAt: string | undefined }>();
        /** Per auto-synced application waiting for Argo's operation: when (worker time) its windows were last read. */
        const windowsReadAt = new Map<string, number>();
        let polls = Number((activityInfo().heartbeatDetails as { polls?: number } | undefined)?.polls ?? 0);
        let reads = 0;
        let lastRecorded = 0;
        /** Per application: when (worker time) it was last read with GET. */
        const readAt = new Map<string, number>();
        const heartbeatMs = activityInfo().heartbeatTimeoutMs;
        // Without events or GETs due, still a round this often: heartbeats, the deadline, grace periods.
        const idleMs = heartbeatMs ? Math.max(100, Math.floor(heartbeatMs / 3)) : 10_000;
        const startedAt = Date.now();
        // A live stream can still go silent without ending (a half-open connection, a buffering proxy): its
        // application is read with GET at least this often, so a frozen stream cannot hold the wait to its deadline.
        const safetyReadMs = Math.max(pollMs, deps.streamSafetyReadMs ?? 30_000);
        const streams = openApplicationStreams(
          appRefs.map((r) => ({ label: r.label, name: r.name, project: r.target.argocd.project, argo: () => r.target.argo() })),
          {
            enabled: deps.argocdWatch !== false,
            signal: cancellationSignal(),
            retryMs: Math.max(pollMs, 1000),
            onError: (label, err) => deps.logger.debug({ application: label, err: toFailure(err).message }, 'argo watch stream ended'),
          },
        );
        const target = {
          sha: input.sha,
          promotionId,
          acceptNewerBranchRevision: true,
          ...(input.freshAfterMs !== undefined ? { reconciledAfter: new Date(input.freshAfterMs) } : {}),
          ...(input.syncedAfterMs !== undefined ? { startedAfter: new Date(input.syncedAfterMs) } : {}),
        };
        const fail = (name: string, reason: string, clause: ConvergenceClause) => {
          const type = NEEDS_RESYNC.has(clause) ? FAILURE.syncOperationFailed : FAILURE.convergenceFailed;
          return ApplicationFailure.nonRetryable(`${name}: ${reason}`, type, { applications: [...observations.values()] });
        };
        /**
         * When a GET is due: without a live stream a poll interval after the last GET; with one, for a refresh the
         * assessment asks for a poll interval after the last GET (as polling would; events may settle it before),
         * else the safety read's interval after the last GET (or the start).
         */
        const getDueAt = (name: string) => {
          const read = readAt.get(name);
          if (!streams.latest(name)) return (read ?? -Infinity) + pollMs;
          if (needRefresh.has(name)) return (read ?? -Infinity) + pollMs;
          return (read ?? startedAt) + safetyReadMs;
        };
        try {
          for (;;) {
            polls++;
            const seen = streams.events;
            let transient: string | undefined;
            for (const { name: appName, label: name, target: cluster } of appRefs) {
              if (observations.get(name)?.state === 'converged') continue;
              const streamed = streams.latest(name);
              if (!streamed && Date.now() < getDueAt(name)) continue; // polling: not yet
              let failed: ApplicationFailure | undefined;
              try {
                let app = streamed;
                if (!app || Date.now() >= getDueAt(name)) {
                  readAt.set(name, Date.now());
                  reads++;
                  app = await readApp(cluster.argo(), appName, {
                    project: cluster.argocd.project,
                    ...(needRefresh.has(name) ? { refresh: 'normal' as const } : {}),
                  });
                }
                // Auto-sync mode: Argo's automated operation at exactly our SHA stands for our sync. Multi-source: the
                // revisions of the sources we write are judged.
                const automated = usesAutomatedSync(cluster, app);
                let r = assessConvergence(app, {
                  ...target,
                  acceptAutomated: automated,
                  sourceIndexes: writtenSourcesOf(app, ctx.environment),
                });
                // A window holds Argo's automated sync back, or holds a running operation before it applies.
                const held = r.observation.operationMessage === OPERATION_HELD_BY_WINDOW && r.state === 'waiting';
                if (
                  (held || (automated && AWAITING_AUTO_SYNC.has(r.clause))) &&
                  Date.now() - (windowsReadAt.get(name) ?? 0) >= WINDOW_READ_MS
                ) {
                  windowsReadAt.set(name, Date.now());
                  const manual = held && r.observation.initiatedBy?.automated !== true;
                  const q = { application: appName, project: cluster.argocd.project, manual };
                  const block = await windowBlock(cluster.argo(), q);
                  // Named by the catch below (`cluster <name>: ` with several clusters).
                  if (block) throw syncWindowFailure(deps, block, { manual, cluster: cluster.name });
                }
                if (r.clause === 'degraded') {
                  const first = degradedSince.get(name) ?? { atMs: Date.now(), reconciledAt: r.observation.reconciledAt };
                  degradedSince.set(name, first);
                  const persisted =
                    Date.now() - first.atMs >= graceMs && (graceMs === 0 || r.observation.reconciledAt !== first.reconciledAt);
                  // Within the grace period, keep reconciling: a recovering rollout goes Progressing → Healthy.
                  if (!persisted) r = { ...r, state: 'waiting', refresh: true, reason: `${r.reason} (grace ${graceMs / 1000}s)` };
                } else {
                  degradedSince.delete(name);
                }
                observations.set(name, {
                  name,
                  state: r.state,
                  clause: r.clause,
                  reason: r.reason,
                  health: r.observation.health,
                  sync: r.observation.syncStatus,
                });
                if (r.refresh) needRefresh.add(name);
                else needRefresh.delete(name);
                if (r.state === 'failed') failed = fail(name, r.reason, r.clause);
                if (r.state === 'converged') streams.stop(name);
              } catch (err) {
                const failure = toFailure(err);
                if (failure instanceof ApplicationFailure && failure.nonRetryable) throw naming(cluster, failure);
                transient = `${name}: ${failure.message}`; // keep polling through transient Argo CD errors
              }
              if (failed) throw failed; // its message names the application (`<cluster>/<name>` with several clusters)
              // After every read, not once per round: one slow application never starves the heartbeat.
              heartbeat({ polls, applications: [...observations.values()] });
            }
            const apps = [...observations.values()];
            heartbeat({ polls, applications: apps }); // also after a round that read nothing (no GET fell due)
            const summary = apps.map((a) => `${a.name}: ${a.state === 'converged' ? 'converged' : a.reason}`).join('; ');
            await hook(deps, 'argocd-wait:polled', input.deploymentId);
            if (apps.length === appRefs.length && apps.every((a) => a.state === 'converged')) {
              return {
                status: 'succeeded' as const,
                message: `converged: ${apps.map((a) => a.name).join(', ')}`,
                observation: { applications: apps, polls, reads, events: streams.events },
                polls,
                reads,
                events: streams.events,
                applications: apps,
              };
            }
            if (record && Date.now() - lastRecorded > 2000) {
              lastRecorded = Date.now();
              await markStepProgress(deps.database.db, {
                deploymentId: input.deploymentId,
                step,
                message: transient ? `${summary} (last error: ${transient})` : summary,
                observation: { applications: apps, polls, reads, events: streams.events },
              });
            }
            if (Date.now() > input.deadlineAtMs) {
              const replaced = apps.find((a) => a.state !== 'converged' && NEEDS_RESYNC.has(a.clause));
              throw ApplicationFailure.nonRetryable(
                `not converged within the deadline: ${summary || transient || 'no observation'}`,
                replaced ? FAILURE.syncOperationFailed : FAILURE.convergenceFailed,
                { applications: apps },
              );
            }
            // The next round: on the next event, when a GET falls due, or after idleMs (never past the deadline).
            const pending = appRefs.filter((a) => observations.get(a.label)?.state !== 'converged');
            const nextAt = Math.min(Date.now() + idleMs, input.deadlineAtMs + 1, ...pending.map((a) => getDueAt(a.label)));
            await streams.wait(nextAt - Date.now(), seen);
          }
        } finally {
          streams.close();
        }
      });
    },
  };
}
