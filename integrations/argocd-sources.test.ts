// Multi-source Applications: which sources Flow Controller writes (those reading the environment's repository),
// and the convergence rule read from `revisions[]` at their positions. Table-driven; pure.
import { describe, expect, it } from 'vitest';
import { assessConvergence, type ConvergenceClause, type ConvergenceState } from './argocd-convergence.js';
import type { Application, ApplicationSource } from './argocd-schema.js';
import { describeSource, repositoryKey, sameRepository, writtenRevision, writtenSources } from './argocd-sources.js';

const SHA = 'a'.repeat(40);
const OTHER = 'b'.repeat(40);
const CHART_SHA = 'c'.repeat(40);
const PROMO = 'promo-1';
const GITOPS = 'https://git.example.com/platform/gitops.git';

const chart: ApplicationSource = {
  repoURL: 'https://charts.example.com/stable',
  chart: 'flow-workloads',
  targetRevision: '0.1.0',
  helm: { valueFiles: ['$values/environments/dev/core/values.yaml'] },
};
const values: ApplicationSource = { repoURL: GITOPS, targetRevision: 'main', ref: 'values' };

/** A converged multi-source application (chart from a Helm repository, values at position 1); cases break one thing. */
function app(patch: (a: Application) => void = () => {}): Application {
  const a: Application = {
    metadata: { name: 'dev-core' },
    spec: { project: 'default', destination: { namespace: 'dev' }, sources: [chart, values] },
    operation: null,
    status: {
      sync: { status: 'Synced', revisions: ['0.1.0', SHA] },
      health: { status: 'Healthy' },
      reconciledAt: '2025-01-01T00:00:10Z',
      operationState: {
        phase: 'Succeeded',
        startedAt: '2025-01-01T00:00:01Z',
        finishedAt: '2025-01-01T00:00:05Z',
        operation: {
          sync: { revisions: ['0.1.0', SHA], sources: [chart, values] },
          initiatedBy: { username: 'flow' },
          info: [{ name: 'promotion', value: PROMO }],
        },
        syncResult: { revision: '', source: { repoURL: '' }, revisions: ['0.1.0', SHA], sources: [chart, values] },
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

describe('repositoryKey / sameRepository', () => {
  it.each([
    ['https://git.example.com/platform/gitops.git', 'https://git.example.com/platform/gitops', true],
    ['https://git.example.com/platform/gitops.git', 'git@git.example.com:platform/gitops.git', true],
    ['https://GIT.example.com/Platform/GitOps/', 'ssh://git@git.example.com:22/platform/gitops', true],
    ['https://user@git.example.com/platform/gitops', 'https://git.example.com/platform/gitops.git', true],
    ['file:///srv/git/gitops.git', '/srv/git/gitops.git', true],
    ['https://git.example.com/platform/gitops', 'https://git.example.com/platform/charts', false],
    ['https://git.example.com/platform/gitops', 'https://other.example.com/platform/gitops', false],
  ])('%s ~ %s → %s', (a, b, same) => {
    expect(sameRepository(a, b)).toBe(same);
  });
  it('reduces to host and path', () => {
    expect(repositoryKey('git@github.com:org/repo.git')).toBe('github.com/org/repo');
  });
});

describe('writtenSources', () => {
  it('a single-source app is written as a whole, whatever its repository (as before multi-source support)', () => {
    const single = app((a) => {
      a.spec.sources = undefined;
      a.spec.source = { repoURL: 'https://elsewhere.example.com/x.git', path: 'p' };
    });
    expect(writtenSources(single, GITOPS)).toEqual([0]);
  });
  it.each<[string, ApplicationSource[], number[]]>([
    ['the ref source reading the repository', [chart, values], [1]],
    ['values first', [values, chart], [0]],
    ['chart and values in the repository: both', [values, { repoURL: `${GITOPS}/`, path: 'charts/flow-workloads' }], [0, 1]],
    ['no source reads the repository', [chart, { ...values, repoURL: 'https://git.example.com/platform/other.git' }], []],
  ])('%s', (_name, sources, expected) => {
    expect(
      writtenSources(
        app((a) => (a.spec.sources = sources)),
        GITOPS,
      ),
    ).toEqual(expected);
  });
  it('names a source by position, ref, chart or path, and repository', () => {
    expect(describeSource(app(), 1)).toBe(`source 2 of 2 (ref "values", ${GITOPS})`);
    expect(describeSource(app(), 0)).toBe('source 1 of 2 (chart flow-workloads, https://charts.example.com/stable)');
  });
  it('reads the written sources’ revision; when they disagree, the one that is not the expected revision', () => {
    expect(writtenRevision(app(), [1], { revisions: ['0.1.0', SHA] })).toBe(SHA);
    expect(writtenRevision(app(), [0, 1], { revisions: [SHA, OTHER] }, SHA)).toBe(OTHER);
    expect(writtenRevision(app(), [1], { revision: SHA })).toBeUndefined();
    expect(
      writtenRevision(
        app((a) => (a.spec.sources = undefined)),
        [0],
        { revision: SHA, revisions: [OTHER] },
      ),
    ).toBe(SHA);
  });
});

const cases: { name: string; app: Application; indexes?: number[]; state: ConvergenceState; clause: ConvergenceClause }[] = [
  { name: 'written source synced and compared at our SHA', app: app(), state: 'converged', clause: 'converged' },
  {
    name: 'the chart source’s revision is not judged',
    app: app((a) => {
      op(a).syncResult = { revision: '', revisions: ['0.2.0', SHA] };
      if (a.status?.sync) a.status.sync.revisions = ['0.2.0', SHA];
    }),
    state: 'converged',
    clause: 'converged',
  },
  {
    name: 'the written source synced another revision',
    app: app((a) => (op(a).syncResult = { revision: '', revisions: ['0.1.0', OTHER] })),
    state: 'failed',
    clause: 'wrong-revision',
  },
  {
    name: 'a single `revision` on a multi-source app is not read (Argo leaves it empty)',
    app: app((a) => (op(a).syncResult = { revision: SHA })),
    state: 'failed',
    clause: 'wrong-revision',
  },
  {
    name: 'compared at a newer commit in sync.revisions[1]',
    app: app((a) => a.status && (a.status.sync = { status: 'Synced', revisions: ['0.1.0', OTHER] })),
    state: 'waiting',
    clause: 'sync-revision-mismatch',
  },
  {
    name: 'two written sources, one at another commit',
    indexes: [0, 1],
    app: app((a) => {
      a.spec.sources = [values, { repoURL: GITOPS, path: 'charts/flow-workloads' }];
      op(a).syncResult = { revision: '', revisions: [SHA, OTHER] };
    }),
    state: 'failed',
    clause: 'wrong-revision',
  },
  {
    name: 'two written sources at our commit',
    indexes: [0, 1],
    app: app((a) => {
      a.spec.sources = [values, { repoURL: GITOPS, path: 'charts/flow-workloads' }];
      op(a).syncResult = { revision: '', revisions: [SHA, SHA] };
      if (a.status?.sync) a.status.sync.revisions = [SHA, SHA];
    }),
    state: 'converged',
    clause: 'converged',
  },
];

describe('assessConvergence on a multi-source app (sourceIndexes)', () => {
  it.each(cases)('$name → $state ($clause)', ({ app: a, indexes, state, clause }) => {
    const r = assessConvergence(a, { sha: SHA, promotionId: PROMO, sourceIndexes: indexes ?? [1] });
    expect({ state: r.state, clause: r.clause }, r.reason).toEqual({ state, clause });
  });
  it('names the written source’s revision in the reason', () => {
    const r = assessConvergence(
      app((a) => (op(a).syncResult = { revision: '', revisions: [CHART_SHA, OTHER] })),
      { sha: SHA, promotionId: PROMO, sourceIndexes: [1] },
    );
    expect(r.reason).toBe(`operation synced ${OTHER}, expected ${SHA}`);
  });
  it('auto mode: Argo’s automated operation counts when the written source’s revision is our SHA', () => {
    const automated = app((a) => (op(a).operation = { sync: { revisions: ['0.1.0', SHA] }, initiatedBy: { automated: true } }));
    expect(assessConvergence(automated, { sha: SHA, promotionId: PROMO, sourceIndexes: [1], acceptAutomated: true }).state).toBe(
      'converged',
    );
    expect(assessConvergence(automated, { sha: SHA, promotionId: PROMO, sourceIndexes: [0], acceptAutomated: true }).clause).toBe(
      'operation-not-ours',
    );
  });
});
