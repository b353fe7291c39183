// The monitor workflow's public surface (workflows/monitor.ts): its input, the status Query, the wake-up Signal,
// and the options of its start. Sandbox-safe and free of workflow logic, so the API and the worker import this
// module rather than the workflow body.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { AppLiveState } from '../domain/verification.js';
import { monitorWorkflowId } from '../domain/workflow-ids.js';
import { EnvironmentKey } from './search-attributes.js';

export interface MonitorInput {
  environment: string;
  /** Observations per run before continue-as-new (default MONITOR_ITERATIONS_PER_RUN; tests use a few). */
  iterationsPerRun?: number;
  /** The last status of the previous run (continue-as-new carries it over). */
  carried?: MonitorStatus;
}

export interface MonitorApp {
  application: string;
  state: AppLiveState;
  problems: string[];
}

/** What the monitor saw last (the status endpoint shows it). */
export interface MonitorStatus {
  /** ISO time of the last completed observation; null before the first. */
  lastObservedAt: string | null;
  /** The last observation's error, if it failed (Argo CD or Kubernetes unreachable). */
  lastError: string | null;
  /** A promotion was active: the applications are `progressing`, nothing is judged. */
  progressing: boolean;
  applications: MonitorApp[];
  openIncidents: number;
  /** Observations of this run, and of every run since the first. */
  iterations: number;
  totalIterations: number;
}

export interface MonitorResult {
  stopped: 'disabled' | 'environment-gone';
}

export const monitorStatusQuery = defineQuery<MonitorStatus>('monitorStatus');

/**
 * The heartbeat details of a running `monitorWatch` activity (activities/monitor-watch.ts): the watch returns to the
 * workflow only on a change, so between returns the workflow's status is true but for its observation time, which
 * the API reads from here (api/services/monitors.ts monitorStatusOf: the newer of the two wins).
 */
export interface MonitorWatchProgress {
  /** ISO time of the watch's last completed observation (null before its first). */
  lastObservedAt: string | null;
  /** Observations made by this attempt of the watch. */
  observations: number;
}

/**
 * The task queue of the monitors' watch activities: `<the workflow's task queue>-monitor`, served by an
 * activity-only worker of its own (worker.ts createMonitorWorker), so 100 environments' long-running watches never
 * take the promotions' activity slots.
 */
export function monitorTaskQueue(taskQueue: string): string {
  return `${taskQueue}-monitor`;
}
/** Observe now (the environment changed, or an operator asks): the configuration is read on every observation. */
export const monitorWakeSignal = defineSignal('wake');

/**
 * The start of an environment's monitor: one per environment (USE_EXISTING: starting it again is a no-op), findable
 * in the Temporal UI as `WorkflowType = 'monitorEnvironment' AND Environment = '<env>'`.
 */
export function monitorStartOptions(environment: string, taskQueue: string) {
  return {
    taskQueue,
    workflowId: monitorWorkflowId(environment),
    args: [{ environment }] as [MonitorInput],
    workflowIdConflictPolicy: 'USE_EXISTING' as const,
    workflowIdReusePolicy: 'ALLOW_DUPLICATE' as const,
    staticSummary: `monitor ${environment}`,
    staticDetails: `Continuous monitoring of ${environment}: drift, health and sync of the current release; incidents and their policy`,
    typedSearchAttributes: [{ key: EnvironmentKey, value: environment }],
  };
}
