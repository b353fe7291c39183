// The monitor's lean Application parse (argocd-observed.ts) against the full schema's rules where they overlap.
import { describe, expect, it } from 'vitest';
import { ObservedApplication } from './argocd-observed.js';
import { Application } from './argocd-schema.js';

const app = {
  metadata: { name: 'dev-core', namespace: 'argocd', labels: { team: 'a' } },
  spec: { project: 'default', source: { repoURL: 'https://git/x', path: 'dev' }, destination: { namespace: 'dev' } },
  status: {
    sync: { status: 'Synced', revision: 'abc' },
    health: { status: 'Degraded', message: 'pod crash' },
    resources: [
      { group: 'apps', version: 'v1', kind: 'Deployment', namespace: 'dev', name: 'api', status: 'Synced', health: { status: 'Healthy' } },
      { version: 'v1', kind: 'Service', name: 'api' },
    ],
    history: [{ id: 1, revision: 'abc', deployedAt: '2026-01-01T00:00:00Z' }],
    operationState: { operation: {}, phase: 'Succeeded', startedAt: '2026-01-01T00:00:00Z' },
  },
};

describe('ObservedApplication', () => {
  it('keeps sync, health and the resources’ kind, name and namespace, as the full parse reads them', () => {
    const lean = ObservedApplication.parse(app);
    const full = Application.parse(app);
    expect(lean).toEqual({
      metadata: { name: 'dev-core', namespace: 'argocd' },
      spec: { project: 'default' },
      status: {
        sync: { status: 'Synced' },
        health: { status: 'Degraded', message: 'pod crash' },
        resources: [
          { kind: 'Deployment', namespace: 'dev', name: 'api' },
          { kind: 'Service', name: 'api' },
        ],
      },
    });
    expect(lean.status?.sync?.status).toBe(full.status?.sync?.status);
    expect(lean.status?.health).toEqual(full.status?.health);
    expect(lean.status?.resources?.map((r) => [r.kind, r.name, r.namespace])).toEqual(
      full.status?.resources?.map((r) => [r.kind, r.name, r.namespace]),
    );
  });

  it('accepts an application Argo CD has not reconciled yet (no status)', () => {
    expect(ObservedApplication.parse({ metadata: { name: 'x' }, spec: {} })).toEqual({ metadata: { name: 'x' }, spec: {} });
  });

  it('refuses what the full parse refuses in those fields', () => {
    for (const bad of [
      { ...app, status: { ...app.status, sync: { status: 'Sideways' } } },
      { ...app, status: { ...app.status, health: { status: 'Fine' } } },
      { ...app, status: { ...app.status, resources: [{ kind: 'Deployment' }] } },
      { status: app.status },
    ]) {
      expect(ObservedApplication.safeParse(bad).success).toBe(false);
      expect(Application.safeParse(bad).success).toBe(false);
    }
  });
});
