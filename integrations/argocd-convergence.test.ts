// Table-driven tests: one case per clause of the convergence algorithm and of the rollout rules.
import { describe, expect, it } from 'vitest';
import { assessConvergence, assessWorkloadRollout, type ConvergenceClause, type ConvergenceState } from './argocd-convergence.js';
import type { Application } from './argocd-schema.js';
import type { Workload } from './kube.js';

const SHA = 'a'.repeat(40);
const OTHER = 'b'.repeat(40);
const PROMO = 'promo-1';

/** A converged application; each case breaks one clause. */
function app(patch: (a: Application) => void = () => {}): Application {
  const a: Application = {
    metadata: { name: 'dev-core' },
    spec: { project: 'default', destination: { namespace: 'dev' } },
    operation: null,
    status: {
      sync: { status: 'Synced', revision: SHA },
      health: { status: 'Healthy' },
      reconciledAt: '2025-01-01T00:00:10Z',
      conditions: [],
      operationState: {
        phase: 'Succeeded',
        message: 'successfully synced (all tasks run)',
        startedAt: '2025-01-01T00:00:01Z',
        finishedAt: '2025-01-01T00:00:05Z',
        operation: { sync: { revision: SHA }, initiatedBy: { username: 'flow' }, info: [{ name: 'promotion', value: PROMO }] },
        syncResult: { revision: SHA },
      },
    },
  };
  patch(a);
  return a;
}
const op = (a: Application) => {
  const o = a.status?.operationState;
  if (!o) throw new Error('fixture');
  return o;
};

const cases: {
  name: string;
  app: Application;
  state: ConvergenceState;
  clause: ConvergenceClause;
  startedAfter?: Date;
  reconciledAfter?: Date;
  acceptNewer?: boolean;
  acceptAutomated?: boolean;
}[] = [
  { name: 'all clauses hold', app: app(), state: 'converged', clause: 'converged' },
  {
    name: 'operation still set',
    app: app((a) => (a.operation = { sync: { revision: SHA }, initiatedBy: { username: 'flow' } })),
    state: 'waiting',
    clause: 'operation-pending',
  },
  { name: 'no operationState', app: app((a) => delete a.status?.operationState), state: 'waiting', clause: 'no-operation-state' },
  {
    name: 'operation of auto-sync',
    app: app((a) => (op(a).operation = { initiatedBy: { automated: true } })),
    state: 'waiting',
    clause: 'operation-not-ours',
  },
  {
    name: 'other promotion id',
    app: app((a) => (op(a).operation.info = [{ name: 'promotion', value: 'other' }])),
    state: 'waiting',
    clause: 'operation-not-ours',
  },
  {
    name: 'started before our request',
    app: app(),
    startedAfter: new Date('2025-01-01T00:00:02.500Z'),
    state: 'waiting',
    clause: 'operation-not-ours',
  },
  {
    name: 'started in the same second as our request',
    app: app(),
    startedAfter: new Date('2025-01-01T00:00:01.900Z'),
    state: 'converged',
    clause: 'converged',
  },
  {
    name: 'retried: reconciled before the retry began (a stale Degraded or Healthy is not judged)',
    app: app(),
    reconciledAfter: new Date('2025-01-01T00:00:20Z'),
    state: 'waiting',
    clause: 'stale-reconcile',
  },
  {
    name: "retried: reconciled in the retry's own second (may predate it)",
    app: app(),
    reconciledAfter: new Date('2025-01-01T00:00:10.400Z'),
    state: 'waiting',
    clause: 'stale-reconcile',
  },
  {
    name: 'retried: reconciled after the retry',
    app: app(),
    reconciledAfter: new Date('2025-01-01T00:00:09.400Z'),
    state: 'converged',
    clause: 'converged',
  },
  {
    name: 'reconciled in the second the operation finished (the contract says >=)',
    app: app((a) => Object.assign(a.status ?? {}, { reconciledAt: '2025-01-01T00:00:05Z' })),
    state: 'converged',
    clause: 'converged',
  },
  {
    name: 'phase Failed',
    app: app((a) => Object.assign(op(a), { phase: 'Failed', message: 'one or more objects failed to apply' })),
    state: 'failed',
    clause: 'operation-failed',
  },
  {
    name: 'phase Error',
    app: app((a) => Object.assign(op(a), { phase: 'Error', message: 'boom' })),
    state: 'failed',
    clause: 'operation-failed',
  },
  {
    name: 'phase Running with revision set early',
    app: app((a) => Object.assign(op(a), { phase: 'Running', finishedAt: undefined })),
    state: 'waiting',
    clause: 'operation-running',
  },
  {
    name: 'phase Terminating',
    app: app((a) => Object.assign(op(a), { phase: 'Terminating' })),
    state: 'waiting',
    clause: 'operation-running',
  },
  { name: 'no finishedAt', app: app((a) => delete op(a).finishedAt), state: 'waiting', clause: 'not-finished' },
  {
    name: 'syncResult at another revision',
    app: app((a) => (op(a).syncResult = { revision: OTHER })),
    state: 'failed',
    clause: 'wrong-revision',
  },
  {
    name: 'reconciledAt before finishedAt',
    app: app((a) => a.status && (a.status.reconciledAt = '2025-01-01T00:00:04Z')),
    state: 'waiting',
    clause: 'stale-reconcile',
  },
  {
    name: 'OutOfSync',
    app: app((a) => a.status && (a.status.sync = { status: 'OutOfSync', revision: SHA })),
    state: 'waiting',
    clause: 'out-of-sync',
  },
  {
    name: 'compared at a newer commit',
    app: app((a) => a.status && (a.status.sync = { status: 'Synced', revision: OTHER })),
    state: 'waiting',
    clause: 'sync-revision-mismatch',
  },
  {
    name: 'compared at a newer commit of a shared branch, accepted',
    acceptNewer: true,
    app: app((a) => a.status && (a.status.sync = { status: 'Synced', revision: OTHER })),
    state: 'converged',
    clause: 'converged',
  },
  {
    name: 'newer commit accepted but OutOfSync',
    acceptNewer: true,
    app: app((a) => a.status && (a.status.sync = { status: 'OutOfSync', revision: OTHER })),
    state: 'waiting',
    clause: 'out-of-sync',
  },
  {
    name: 'auto mode: automated operation that synced our SHA',
    acceptAutomated: true,
    app: app((a) => (op(a).operation = { sync: { revision: SHA }, initiatedBy: { automated: true } })),
    state: 'converged',
    clause: 'converged',
  },
  {
    name: 'auto mode: automated operation at an OLDER SHA is not accepted',
    acceptAutomated: true,
    app: app((a) => {
      op(a).operation = { sync: { revision: OTHER }, initiatedBy: { automated: true } };
      op(a).syncResult = { revision: OTHER };
    }),
    state: 'waiting',
    clause: 'operation-not-ours',
  },
  {
    name: 'auto mode: a user operation at our SHA without our promotion id is not accepted',
    acceptAutomated: true,
    app: app((a) => (op(a).operation = { sync: { revision: SHA }, initiatedBy: { username: 'alice' } })),
    state: 'waiting',
    clause: 'operation-not-ours',
  },
  {
    name: 'auto mode: a failed automated operation at our SHA fails',
    acceptAutomated: true,
    app: app((a) => {
      op(a).operation = { sync: { revision: SHA }, initiatedBy: { automated: true } };
      Object.assign(op(a), { phase: 'Failed', message: 'quota exceeded' });
    }),
    state: 'failed',
    clause: 'operation-failed',
  },
  {
    name: 'auto mode: the automated operation needs no start after a retry (Argo never re-syncs a SHA)',
    acceptAutomated: true,
    startedAfter: new Date('2025-01-01T00:00:09Z'),
    app: app((a) => (op(a).operation = { sync: { revision: SHA }, initiatedBy: { automated: true } })),
    state: 'converged',
    clause: 'converged',
  },
  {
    name: 'explicit mode: automated operation at our SHA is not ours',
    app: app((a) => (op(a).operation = { sync: { revision: SHA }, initiatedBy: { automated: true } })),
    state: 'waiting',
    clause: 'operation-not-ours',
  },
  {
    name: 'Degraded',
    app: app((a) => a.status && (a.status.health = { status: 'Degraded', message: 'ImagePullBackOff' })),
    state: 'failed',
    clause: 'degraded',
  },
  {
    name: 'Progressing',
    app: app((a) => a.status && (a.status.health = { status: 'Progressing' })),
    state: 'waiting',
    clause: 'not-healthy',
  },
  { name: 'Missing', app: app((a) => a.status && (a.status.health = { status: 'Missing' })), state: 'waiting', clause: 'not-healthy' },
  { name: 'Suspended', app: app((a) => a.status && (a.status.health = { status: 'Suspended' })), state: 'waiting', clause: 'not-healthy' },
  {
    name: 'ComparisonError condition',
    app: app((a) => a.status && (a.status.conditions = [{ type: 'ComparisonError', message: 'x' }])),
    state: 'waiting',
    clause: 'error-condition',
  },
  {
    name: 'unrelated condition is fine',
    app: app((a) => a.status && (a.status.conditions = [{ type: 'OrphanedResourceWarning', message: 'x' }])),
    state: 'converged',
    clause: 'converged',
  },
];

describe('assessConvergence', () => {
  it.each(cases)('$name → $state ($clause)', ({ app: a, state, clause, startedAfter, reconciledAfter, acceptNewer, acceptAutomated }) => {
    const r = assessConvergence(a, {
      sha: SHA,
      promotionId: PROMO,
      startedAfter,
      reconciledAfter,
      acceptNewerBranchRevision: acceptNewer,
      acceptAutomated,
    });
    expect({ state: r.state, clause: r.clause }).toEqual({ state, clause });
    expect(r.reason.length).toBeGreaterThan(0);
  });
  it('carries Argo message on failure', () => {
    const r = assessConvergence(
      app((a) => Object.assign(op(a), { phase: 'Failed', message: 'quota exceeded' })),
      { sha: SHA, promotionId: PROMO },
    );
    expect(r.reason).toContain('quota exceeded');
  });
  it('auto mode: asks for a refresh while the automated operation is at an older SHA (auto-sync starts on reconcile)', () => {
    const r = assessConvergence(
      app((a) => {
        op(a).operation = { sync: { revision: OTHER }, initiatedBy: { automated: true } };
        op(a).syncResult = { revision: OTHER };
      }),
      { sha: SHA, promotionId: PROMO, acceptAutomated: true },
    );
    expect(r.refresh).toBe(true);
    expect(r.reason).toContain("Argo CD's automated sync");
  });
  it('auto mode: asks for a refresh while no operation ever ran (a sync window may have held auto-sync back)', () => {
    const none = app((a) => delete a.status?.operationState);
    expect(assessConvergence(none, { sha: SHA, promotionId: PROMO, acceptAutomated: true }).refresh).toBe(true);
    expect(assessConvergence(none, { sha: SHA, promotionId: PROMO }).refresh).toBe(false);
  });
  it('asks for a refresh when health may be stale', () => {
    const r = assessConvergence(
      app((a) => a.status && (a.status.reconciledAt = undefined)),
      { sha: SHA, promotionId: PROMO },
    );
    expect(r.refresh).toBe(true);
  });
});

const deployment = (o: {
  gen?: number;
  observed?: number;
  replicas?: number;
  updated?: number;
  total?: number;
  available?: number;
  deadline?: boolean;
}): Workload => ({
  kind: 'Deployment',
  object: {
    metadata: { name: 'api', namespace: 'dev', generation: o.gen ?? 2 },
    spec: { replicas: o.replicas ?? 2, selector: {}, template: {} },
    status: {
      observedGeneration: o.observed ?? 2,
      replicas: o.total ?? 2,
      updatedReplicas: o.updated ?? 2,
      availableReplicas: o.available ?? 2,
      conditions: o.deadline
        ? [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'exceeded its progress deadline' }]
        : [],
    },
  },
});

describe('assessWorkloadRollout', () => {
  const rows: { name: string; w: Workload; state: 'rolledOut' | 'progressing' | 'failed' }[] = [
    { name: 'deployment rolled out', w: deployment({}), state: 'rolledOut' },
    { name: 'generation not observed', w: deployment({ gen: 3 }), state: 'progressing' },
    { name: 'progress deadline exceeded', w: deployment({ deadline: true }), state: 'failed' },
    { name: 'not all updated', w: deployment({ updated: 1 }), state: 'progressing' },
    { name: 'old pod still counted', w: deployment({ total: 3 }), state: 'progressing' },
    { name: 'not all available', w: deployment({ available: 1 }), state: 'progressing' },
    {
      name: 'statefulset rolled out',
      w: {
        kind: 'StatefulSet',
        object: {
          metadata: { generation: 1 },
          spec: { replicas: 2, selector: {}, serviceName: 'x', template: {} },
          status: { observedGeneration: 1, replicas: 2, readyReplicas: 2, currentRevision: 'db-1', updateRevision: 'db-1' },
        },
      },
      state: 'rolledOut',
    },
    {
      name: 'statefulset revisions differ',
      w: {
        kind: 'StatefulSet',
        object: {
          metadata: { generation: 1 },
          spec: { replicas: 2, selector: {}, serviceName: 'x', template: {} },
          status: { observedGeneration: 1, replicas: 2, readyReplicas: 2, currentRevision: 'db-1', updateRevision: 'db-2' },
        },
      },
      state: 'progressing',
    },
    {
      name: 'daemonset rolled out',
      w: {
        kind: 'DaemonSet',
        object: {
          metadata: { generation: 1 },
          status: {
            observedGeneration: 1,
            desiredNumberScheduled: 1,
            updatedNumberScheduled: 1,
            numberAvailable: 1,
            currentNumberScheduled: 1,
            numberMisscheduled: 0,
            numberReady: 1,
          },
        },
      },
      state: 'rolledOut',
    },
    {
      name: 'daemonset not available',
      w: {
        kind: 'DaemonSet',
        object: {
          metadata: { generation: 1 },
          status: {
            observedGeneration: 1,
            desiredNumberScheduled: 1,
            updatedNumberScheduled: 1,
            numberAvailable: 0,
            currentNumberScheduled: 1,
            numberMisscheduled: 0,
            numberReady: 0,
          },
        },
      },
      state: 'progressing',
    },
  ];
  it.each(rows)('$name → $state', ({ w, state }) => {
    expect(assessWorkloadRollout(w).state).toBe(state);
  });
});
