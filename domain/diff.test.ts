import { describe, expect, it } from 'vitest';
import { diffReleases } from './diff.js';
import type { Descriptor } from './descriptor.js';

const d = (apiTag: string, extra: Descriptor = {}): Descriptor => ({
  core: { api: { Deployment: { containers: { api: { repo: 'org/api', tag: apiTag } } } } },
  ...extra,
});

describe('diffReleases', () => {
  it('identical releases', () => {
    expect(diffReleases({ descriptor: d('1'), overrides: [] }, { descriptor: d('1'), overrides: [] })).toEqual({
      identical: true,
      changes: [],
      overrides: [],
    });
  });

  it('reports services, containers, images and overrides', () => {
    const a: Descriptor = {
      core: { api: { Deployment: { containers: { api: { repo: 'org/api', tag: '1' }, old: { repo: 'org/old', tag: '1' } } } } },
      infra: { gateway: { Deployment: { containers: { gateway: { repo: 'org/gateway', tag: 'stable' } } } } },
    };
    const b: Descriptor = {
      core: { api: { Deployment: { containers: { api: { repo: 'org/api2', tag: '2' }, new: { repo: 'org/new', tag: '1' } } } } },
      platform: { agent: { DaemonSet: { containers: { agent: { repo: 'org/agent', tag: '1' } } } } },
    };
    const result = diffReleases(
      { descriptor: a, overrides: [{ path: 'x', templateValue: 't', value: 'v' }] },
      { descriptor: b, overrides: [{ path: 'y', templateValue: 't', value: 'v' }] },
    );
    expect(result.identical).toBe(false);
    expect(result.changes.map((c) => [c.type, c.path])).toEqual([
      ['image-changed', 'core.api.containers.api'],
      ['container-added', 'core.api.containers.new'],
      ['container-removed', 'core.api.containers.old'],
      ['service-removed', 'infra.gateway'],
      ['service-added', 'platform.agent'],
    ]);
    expect(result.changes[0]).toMatchObject({ repo: { from: 'org/api', to: 'org/api2' }, tag: { from: '1', to: '2' } });
    expect(result.overrides.map((o) => [o.path, o.change])).toEqual([
      ['x', 'removed'],
      ['y', 'added'],
    ]);
  });

  it('reports a workload kind change', () => {
    const b: Descriptor = { core: { api: { StatefulSet: { containers: { api: { repo: 'org/api', tag: '1' } } } } } };
    expect(diffReleases({ descriptor: d('1'), overrides: [] }, { descriptor: b, overrides: [] }).changes).toEqual([
      { type: 'workload-kind-changed', path: 'core.api', group: 'core', service: 'api', kind: { from: 'Deployment', to: 'StatefulSet' } },
    ]);
  });
});
