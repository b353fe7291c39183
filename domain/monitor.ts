// The continuous monitor's rules (docs/verification-and-monitoring.md, "Monitoring, incidents and
// auto-rollback"): how one application's observation (Argo CD sync/health, the images of its Ready pods) becomes
// a live state and incidents, and when the environment's policy acts on an incident. Pure.
import type { AppLiveState, IncidentKind, IncidentPolicy, MonitoringConfig } from './verification.js';
import { MonitoringConfig as MonitoringSchema } from './verification.js';

/** The incidents the monitor opens and resolves (verification-failed is the gates' own). */
export const MONITOR_KINDS = ['drift', 'degraded', 'missing', 'out-of-sync'] as const satisfies readonly IncidentKind[];
export type MonitorKind = (typeof MONITOR_KINDS)[number];

export { monitorWorkflowId } from './workflow-ids.js';

/** An environment's monitoring configuration with its defaults (absent = monitored with the defaults). */
export function monitoringOf(stored: unknown): MonitoringConfig {
  if (stored === null || typeof stored !== 'object') return MonitoringSchema.parse(stored ?? {});
  // The monitor asks for the same stored object every interval (db/monitor-read.ts keeps unchanged rows).
  let parsed = parsedMonitoring.get(stored);
  if (!parsed) parsedMonitoring.set(stored, (parsed = MonitoringSchema.parse(stored)));
  return parsed;
}
const parsedMonitoring = new WeakMap<object, MonitoringConfig>();

/** A container whose running image (or workload whose release) differs from the release's (verify-workloads.ts). */
export interface LiveMismatch {
  workload: string;
  container: string;
  expected: string;
  running: string;
}

export interface AppObservation {
  /** The application as the steps label it (`<cluster>/<app>` with several clusters). */
  application: string;
  sync: string | undefined;
  health: string | undefined;
  /** Argo CD's health message, if any (shown in the evidence). */
  healthMessage?: string | undefined;
  mismatches: LiveMismatch[];
}

export interface AppProblem {
  kind: MonitorKind;
  line: string;
}

export interface AppVerdict {
  application: string;
  state: AppLiveState;
  problems: AppProblem[];
}

/** What verify-workloads reports for a workload it cannot find, and for one without a Ready pod. */
const WORKLOAD_MISSING = 'workload missing from the application';
const NO_READY_POD = 'no Ready pod';

/**
 * One application's verdict. Evidence lines read `<env>/<workload>/<container>: expected …, running …` for
 * images and `<env>/<application>: …` for Argo CD's view. The state is the worst problem's (missing, degraded,
 * drifted, out-of-sync), else progressing while Argo CD says so, else in sync.
 */
export function judgeApplication(environment: string, obs: AppObservation): AppVerdict {
  const problems: AppProblem[] = [];
  const app = `${environment}/${obs.application}`;
  if (obs.health === 'Missing') problems.push({ kind: 'missing', line: `${app}: Argo CD health Missing` });
  if (obs.health === 'Degraded') {
    problems.push({ kind: 'degraded', line: `${app}: Argo CD health Degraded${obs.healthMessage ? ` (${obs.healthMessage})` : ''}` });
  }
  if (obs.sync === 'OutOfSync') problems.push({ kind: 'out-of-sync', line: `${app}: Argo CD sync OutOfSync` });
  for (const m of obs.mismatches) {
    const kind: MonitorKind = m.running === WORKLOAD_MISSING ? 'missing' : m.running === NO_READY_POD ? 'degraded' : 'drift';
    const where = m.container === '*' ? `${environment}/${m.workload}` : `${environment}/${m.workload}/${m.container}`;
    problems.push({ kind, line: `${where}: expected ${m.expected}, running ${m.running}` });
  }
  const unique = [...new Map(problems.map((p) => [`${p.kind}\0${p.line}`, p])).values()];
  return { application: obs.application, state: stateOf(unique, obs.health), problems: unique };
}

const STATE_OF_KIND: Record<MonitorKind, AppLiveState> = {
  missing: 'missing',
  degraded: 'degraded',
  drift: 'drifted',
  'out-of-sync': 'out-of-sync',
};
const PRIORITY: MonitorKind[] = ['missing', 'degraded', 'drift', 'out-of-sync'];

function stateOf(problems: AppProblem[], health: string | undefined): AppLiveState {
  for (const kind of PRIORITY) if (problems.some((p) => p.kind === kind)) return STATE_OF_KIND[kind];
  if (health === 'Progressing') return 'progressing';
  return 'in sync';
}

/** The incidents of a verdict: one per kind, its evidence lines bounded. */
export function incidentsOf(verdict: AppVerdict, maxLines = 20): Array<{ kind: MonitorKind; summary: string; lines: string[] }> {
  const byKind = new Map<MonitorKind, string[]>();
  for (const p of verdict.problems) byKind.set(p.kind, [...(byKind.get(p.kind) ?? []), p.line]);
  return [...byKind].map(([kind, lines]) => ({
    kind,
    summary: `${kind} in ${verdict.application}: ${lines[0] ?? ''}${lines.length > 1 ? ` (+${lines.length - 1} more)` : ''}`.slice(
      0,
      1_000,
    ),
    lines: lines.slice(0, maxLines),
  }));
}

/** What an incident's policy does once it is due. */
export type PolicyAction = IncidentPolicy;

/**
 * Is the incident due for its one automatic action? Open, not acted on, and open for `sustainSeconds` (a failed
 * verification at once). Every kind follows `monitoring.policy`: a failed re-verification under `alert` is alerted,
 * under `rollback` rolled back. (A gate under `onFailure: rollback` records its own rollback, so it is never due.)
 */
export function dueAction(
  incident: { kind: IncidentKind; firstSeenAt: Date; resolvedAt: Date | null; action: string | null },
  config: Pick<MonitoringConfig, 'sustainSeconds' | 'policy'>,
  now: Date,
): PolicyAction | undefined {
  if (incident.resolvedAt !== null || incident.action !== null) return undefined;
  if (incident.kind === 'verification-failed') return config.policy;
  return now.getTime() - incident.firstSeenAt.getTime() >= config.sustainSeconds * 1000 ? config.policy : undefined;
}
