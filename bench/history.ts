// Where the time of one promotion went: the Temporal history of its workflow run (workflow tasks, activity
// queue waits and executions) and its deployment and step rows in the database.
import type { Client } from '@temporalio/client';
import type { Database } from '../db/client.js';

interface HistoryEvent {
  eventId?: unknown;
  eventTime?: { seconds?: unknown; nanos?: number | null } | null;
  workflowExecutionStartedEventAttributes?: unknown;
  workflowExecutionCompletedEventAttributes?: unknown;
  workflowTaskScheduledEventAttributes?: unknown;
  workflowTaskStartedEventAttributes?: { scheduledEventId?: unknown } | null;
  workflowTaskCompletedEventAttributes?: { scheduledEventId?: unknown; startedEventId?: unknown } | null;
  activityTaskScheduledEventAttributes?: { activityType?: { name?: string | null } | null } | null;
  activityTaskStartedEventAttributes?: { scheduledEventId?: unknown; attempt?: number | null } | null;
  activityTaskCompletedEventAttributes?: { scheduledEventId?: unknown; startedEventId?: unknown } | null;
}

function num(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'object' && 'toNumber' in v && typeof (v as { toNumber: unknown }).toNumber === 'function') {
    return (v as { toNumber(): number }).toNumber();
  }
  return Number(v);
}

function timeOf(e: HistoryEvent): number {
  return num(e.eventTime?.seconds) * 1000 + (e.eventTime?.nanos ?? 0) / 1e6;
}

export interface HistoryBreakdown {
  workflowStartedAt: number;
  workflowCompletedAt: number | undefined;
  workflowTasks: number;
  /** Σ workflow task scheduled → completed (queue wait + the worker's workflow code + the completion RPC). */
  workflowTaskMs: number;
  /** Σ activity task scheduled → started (matching / task-queue wait). */
  activityScheduleToStartMs: number;
  /** Σ activity task started → completed, per activity type. */
  activityExecMs: Record<string, number>;
  /** Each workflow task: scheduled and completed times. */
  workflowTaskSpans: Array<{ scheduledAt: number; startedAt: number; completedAt: number }>;
  /** Activity type → [scheduledAt, startedAt, completedAt]. */
  activities: Array<{ type: string; scheduledAt: number; startedAt: number; completedAt: number; attempt: number }>;
}

export async function historyBreakdown(client: Client, workflowId: string, runId?: string): Promise<HistoryBreakdown> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const events = (history.events ?? []) as HistoryEvent[];
  const byId = new Map<number, HistoryEvent>(events.map((e) => [num(e.eventId), e]));
  const out: HistoryBreakdown = {
    workflowStartedAt: 0,
    workflowCompletedAt: undefined,
    workflowTasks: 0,
    workflowTaskMs: 0,
    activityScheduleToStartMs: 0,
    activityExecMs: {},
    workflowTaskSpans: [],
    activities: [],
  };
  const started = new Map<number, HistoryEvent>();
  for (const e of events) {
    if (e.workflowExecutionStartedEventAttributes) out.workflowStartedAt = timeOf(e);
    if (e.workflowExecutionCompletedEventAttributes) out.workflowCompletedAt = timeOf(e);
    if (e.workflowTaskCompletedEventAttributes) {
      const sched = byId.get(num(e.workflowTaskCompletedEventAttributes.scheduledEventId));
      const st = byId.get(num(e.workflowTaskCompletedEventAttributes.startedEventId));
      if (sched) {
        out.workflowTasks++;
        out.workflowTaskMs += timeOf(e) - timeOf(sched);
        out.workflowTaskSpans.push({ scheduledAt: timeOf(sched), startedAt: st ? timeOf(st) : timeOf(sched), completedAt: timeOf(e) });
      }
    }
    if (e.activityTaskStartedEventAttributes) started.set(num(e.eventId), e);
    if (e.activityTaskCompletedEventAttributes) {
      const sched = byId.get(num(e.activityTaskCompletedEventAttributes.scheduledEventId));
      const st = byId.get(num(e.activityTaskCompletedEventAttributes.startedEventId));
      if (!sched || !st) continue;
      const type = sched.activityTaskScheduledEventAttributes?.activityType?.name ?? '?';
      const a = {
        type,
        scheduledAt: timeOf(sched),
        startedAt: timeOf(st),
        completedAt: timeOf(e),
        attempt: st.activityTaskStartedEventAttributes?.attempt ?? 1,
      };
      out.activities.push(a);
      out.activityScheduleToStartMs += a.startedAt - a.scheduledAt;
      out.activityExecMs[type] = (out.activityExecMs[type] ?? 0) + (a.completedAt - a.startedAt);
    }
  }
  return out;
}

/** Deployment rows and step rows of the given deployments, straight from the database (times as epoch ms). */
export async function deploymentTimings(database: Database, ids: number[]) {
  const rows = await database.sql<
    Array<{
      id: string;
      environment: string;
      status: string;
      createdAt: number;
      startedAt: number | null;
      finishedAt: number | null;
      commitSha: string | null;
      workflowId: string;
      runId: string | null;
    }>
  >`
    select id, environment, status,
           extract(epoch from created_at) * 1000 as "createdAt", extract(epoch from started_at) * 1000 as "startedAt",
           extract(epoch from finished_at) * 1000 as "finishedAt", commit_sha as "commitSha", workflow_id as "workflowId", run_id as "runId"
      from deployments where id = any(${ids})`;
  const steps = await database.sql<
    Array<{
      deploymentId: string;
      step: string;
      status: string;
      attempts: number;
      startedAt: number | null;
      finishedAt: number | null;
      message: string | null;
    }>
  >`
    select deployment_id as "deploymentId", step, status, attempts, extract(epoch from started_at) * 1000 as "startedAt",
           extract(epoch from finished_at) * 1000 as "finishedAt", message
      from deployment_steps where deployment_id = any(${ids}) order by deployment_id, position`;
  const n = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
  return {
    rows: rows.map((r) => ({
      ...r,
      id: Number(r.id),
      createdAt: n(r.createdAt) ?? 0,
      startedAt: n(r.startedAt),
      finishedAt: n(r.finishedAt),
    })),
    steps: steps.map((s) => ({ ...s, deploymentId: Number(s.deploymentId), startedAt: n(s.startedAt), finishedAt: n(s.finishedAt) })),
  };
}
