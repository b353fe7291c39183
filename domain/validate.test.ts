// Table-driven rules: each case is a template or descriptor and the exact problem list it must produce.
import { describe, expect, it } from 'vitest';
import { validateDescriptor, validateTemplate, fitsPattern } from './validate.js';
import type { Template } from './descriptor.js';
import type { Problem } from './problems.js';

const SEED: Template = {
  core: { api: { Deployment: { containers: { api: { repo: 'org/api', tag: '<RELEASE_TAG>' } } } } },
  infra: { gateway: { Deployment: { containers: { gateway: { repo: 'org/gateway', tag: 'stable' } } } } },
};

/** A richer template: an optional service, a moving tag with a pinned suffix, two containers, a registry host. */
const RICH: Template = {
  core: {
    api: { Deployment: { containers: { api: { repo: 'org/api', tag: '<RELEASE_TAG>' }, sidecar: { repo: 'org/envoy', tag: 'v1.30' } } } },
    worker: { StatefulSet: { containers: { worker: { repo: 'registry.example.com:5000/org/worker', tag: '<RELEASE_TAG>-alpine' } } } },
  },
  platform: { metrics: { DaemonSet: { optional: true, containers: { agent: { repo: 'org/agent', tag: '2.1.0' } } } } },
};

const api = (tag: string, repo = 'org/api') => ({ Deployment: { containers: { api: { repo, tag } } } });
const gateway = (tag: string) => ({ Deployment: { containers: { gateway: { repo: 'org/gateway', tag } } } });
const p = (path: string, code: Problem['code']) => ({ path, code });

interface Case {
  name: string;
  template?: Template;
  descriptor: unknown;
  acks?: string[];
  problems: Array<{ path: string; code: Problem['code'] }>;
}

const cases: Case[] = [
  {
    name: 'the seed example, filled, is valid',
    descriptor: { core: { api: api('1.4.2') }, infra: { gateway: gateway('stable') } },
    problems: [],
  },
  {
    name: 'a sha256 digest is a valid tag',
    descriptor: { core: { api: api(`sha256:${'a'.repeat(64)}`) }, infra: { gateway: gateway('stable') } },
    problems: [],
  },
  { name: 'not an object', descriptor: [1, 2], problems: [p('', 'INVALID_SHAPE')] },
  { name: 'null', descriptor: null, problems: [p('', 'INVALID_SHAPE')] },
  {
    name: 'empty descriptor: every required service missing',
    descriptor: {},
    problems: [p('core.api', 'MISSING_SERVICE'), p('infra.gateway', 'MISSING_SERVICE')],
  },
  {
    name: 'unknown group',
    descriptor: { core: { api: api('1') }, infra: { gateway: gateway('stable') }, extra: { x: api('1') } },
    problems: [p('extra', 'UNKNOWN_GROUP')],
  },
  {
    name: 'unknown service',
    descriptor: { core: { api: api('1'), cache: api('1') }, infra: { gateway: gateway('stable') } },
    problems: [p('core.cache', 'UNKNOWN_SERVICE')],
  },
  { name: 'missing service', descriptor: { core: { api: api('1') } }, problems: [p('infra.gateway', 'MISSING_SERVICE')] },
  {
    name: 'workload kind differs from the template',
    descriptor: {
      core: { api: { StatefulSet: { containers: { api: { repo: 'org/api', tag: '1' } } } } },
      infra: { gateway: gateway('stable') },
    },
    problems: [p('core.api.StatefulSet', 'WORKLOAD_KIND_MISMATCH')],
  },
  {
    name: 'unknown workload kind',
    descriptor: { core: { api: { Pod: { containers: {} } } }, infra: { gateway: gateway('stable') } },
    problems: [p('core.api.Pod', 'UNKNOWN_WORKLOAD_KIND')],
  },
  {
    name: 'two workload kinds for one service',
    descriptor: { core: { api: { ...api('1'), StatefulSet: { containers: {} } } }, infra: { gateway: gateway('stable') } },
    problems: [p('core.api', 'INVALID_SHAPE')],
  },
  {
    name: 'unknown and missing containers',
    descriptor: {
      core: { api: { Deployment: { containers: { web: { repo: 'org/api', tag: '1' } } } } },
      infra: { gateway: gateway('stable') },
    },
    problems: [p('core.api.Deployment.containers.api', 'MISSING_CONTAINER'), p('core.api.Deployment.containers.web', 'UNKNOWN_CONTAINER')],
  },
  {
    name: 'repository other than the allowed one',
    descriptor: { core: { api: api('1', 'evil/api') }, infra: { gateway: gateway('stable') } },
    problems: [p('core.api.Deployment.containers.api.repo', 'REPOSITORY_NOT_ALLOWED')],
  },
  {
    name: 'malformed repository name',
    descriptor: { core: { api: api('1', 'Org/API') }, infra: { gateway: gateway('stable') } },
    problems: [p('core.api.Deployment.containers.api.repo', 'INVALID_REPOSITORY')],
  },
  {
    name: 'placeholder left in a tag',
    descriptor: { core: { api: api('<RELEASE_TAG>') }, infra: { gateway: gateway('stable') } },
    problems: [p('core.api.Deployment.containers.api.tag', 'PLACEHOLDER_UNFILLED')],
  },
  {
    name: 'placeholder left in a repository',
    descriptor: { core: { api: api('1', 'org/<NAME>') }, infra: { gateway: gateway('stable') } },
    problems: [p('core.api.Deployment.containers.api.repo', 'PLACEHOLDER_UNFILLED')],
  },
  {
    name: 'invalid OCI tag',
    descriptor: { core: { api: api('-bad tag') }, infra: { gateway: gateway('stable') } },
    problems: [p('core.api.Deployment.containers.api.tag', 'INVALID_TAG')],
  },
  {
    name: 'tag longer than 128 characters',
    descriptor: { core: { api: api('a'.repeat(129)) }, infra: { gateway: gateway('stable') } },
    problems: [p('core.api.Deployment.containers.api.tag', 'INVALID_TAG')],
  },
  {
    name: 'malformed digest',
    descriptor: { core: { api: api('sha256:xyz') }, infra: { gateway: gateway('stable') } },
    problems: [p('core.api.Deployment.containers.api.tag', 'INVALID_TAG')],
  },
  {
    name: 'pinned value changed without acknowledgement',
    descriptor: { core: { api: api('1') }, infra: { gateway: gateway('1.25') } },
    problems: [p('infra.gateway.Deployment.containers.gateway.tag', 'PINNED_VALUE_OVERRIDDEN')],
  },
  {
    name: 'pinned value changed with acknowledgement',
    descriptor: { core: { api: api('1') }, infra: { gateway: gateway('1.25') } },
    acks: ['infra.gateway.Deployment.containers.gateway.tag'],
    problems: [],
  },
  {
    name: 'acknowledgement of something that is not an override',
    descriptor: { core: { api: api('1') }, infra: { gateway: gateway('stable') } },
    acks: ['infra.gateway.Deployment.containers.gateway.tag'],
    problems: [p('infra.gateway.Deployment.containers.gateway.tag', 'OVERRIDE_ACK_UNUSED')],
  },
  {
    name: 'unknown fields and a wrong-typed tag',
    descriptor: {
      core: { api: { Deployment: { replicas: 3, containers: { api: { repo: 'org/api', tag: 7, image: 'x' } } } } },
      infra: { gateway: gateway('stable') },
    },
    problems: [
      p('core.api.Deployment.containers.api.image', 'UNKNOWN_FIELD'),
      p('core.api.Deployment.containers.api.tag', 'INVALID_SHAPE'),
      p('core.api.Deployment.replicas', 'UNKNOWN_FIELD'),
    ],
  },
  {
    name: '"optional" belongs to templates only',
    descriptor: {
      core: { api: { Deployment: { optional: true, containers: { api: { repo: 'org/api', tag: '1' } } } } },
      infra: { gateway: gateway('stable') },
    },
    problems: [p('core.api.Deployment.optional', 'UNKNOWN_FIELD')],
  },
  {
    name: 'missing repo and tag, bad names',
    descriptor: {
      core: { api: { Deployment: { containers: { api: {}, Bad_Name: { repo: 'org/api', tag: '1' } } } } },
      infra: { gateway: gateway('stable') },
      'Core!': {},
    },
    problems: [
      p('Core!', 'INVALID_NAME'),
      p('core.api.Deployment.containers.Bad_Name', 'INVALID_NAME'),
      p('core.api.Deployment.containers.api.repo', 'MISSING_FIELD'),
      p('core.api.Deployment.containers.api.tag', 'MISSING_FIELD'),
    ],
  },
  {
    name: 'names such as "constructor" and "__proto__" are plain keys, not object internals',
    descriptor: JSON.parse(
      '{"constructor":{"toString":{}},"__proto__":{},"core":{"api":{"Deployment":{"containers":{"api":{"repo":"org/api","tag":"1"}}}}},"infra":{"gateway":{"Deployment":{"containers":{"gateway":{"repo":"org/gateway","tag":"stable"}}}}}}',
    ),
    problems: [p('__proto__', 'INVALID_NAME'), p('constructor', 'UNKNOWN_GROUP'), p('constructor.toString', 'INVALID_NAME')],
  },
  {
    name: 'every problem at once',
    descriptor: { core: { api: api('<RELEASE_TAG>', 'evil/api') }, infra: { gateway: gateway('latest') }, extra: { x: api('1') } },
    problems: [
      p('core.api.Deployment.containers.api.repo', 'REPOSITORY_NOT_ALLOWED'),
      p('core.api.Deployment.containers.api.tag', 'PLACEHOLDER_UNFILLED'),
      p('extra', 'UNKNOWN_GROUP'),
      p('infra.gateway.Deployment.containers.gateway.tag', 'PINNED_VALUE_OVERRIDDEN'),
    ],
  },
  // The richer template: optional services, moving tags with pinned parts, registry hosts.
  {
    name: 'optional service may be left out',
    template: RICH,
    descriptor: {
      core: {
        api: { Deployment: { containers: { api: { repo: 'org/api', tag: '3.0.0' }, sidecar: { repo: 'org/envoy', tag: 'v1.30' } } } },
        worker: { StatefulSet: { containers: { worker: { repo: 'registry.example.com:5000/org/worker', tag: '3.0.0-alpine' } } } },
      },
    },
    problems: [],
  },
  {
    name: 'moving tag must keep its pinned suffix',
    template: RICH,
    descriptor: {
      core: {
        api: { Deployment: { containers: { api: { repo: 'org/api', tag: '3.0.0' }, sidecar: { repo: 'org/envoy', tag: 'v1.30' } } } },
        worker: { StatefulSet: { containers: { worker: { repo: 'registry.example.com:5000/org/worker', tag: '3.0.0' } } } },
      },
      platform: { metrics: { DaemonSet: { containers: { agent: { repo: 'org/agent', tag: '2.1.0' } } } } },
    },
    problems: [p('core.worker.StatefulSet.containers.worker.tag', 'PINNED_VALUE_OVERRIDDEN')],
  },
];

describe('validateDescriptor', () => {
  it.each(cases)('$name', (tc) => {
    const result = validateDescriptor({ descriptor: tc.descriptor, template: tc.template ?? SEED, acknowledgedOverrides: tc.acks ?? [] });
    const got = result.ok ? [] : result.problems.map(({ path, code }) => ({ path, code }));
    expect(got).toEqual(tc.problems);
    if (!result.ok) for (const problem of result.problems) expect(problem.message.length).toBeGreaterThan(0);
  });

  it('returns acknowledged overrides to be stored with the release', () => {
    const result = validateDescriptor({
      descriptor: { core: { api: api('1') }, infra: { gateway: gateway('1.25') } },
      template: SEED,
      acknowledgedOverrides: ['infra.gateway.Deployment.containers.gateway.tag'],
    });
    expect(result).toMatchObject({
      ok: true,
      overrides: [{ path: 'infra.gateway.Deployment.containers.gateway.tag', templateValue: 'stable', value: '1.25' }],
    });
  });

  it('matches moving tags against their literal parts', () => {
    expect(fitsPattern('<A>-alpine', '1.2-alpine')).toBe(true);
    expect(fitsPattern('<A>-alpine', '1.2')).toBe(false);
    expect(fitsPattern('v<MAJOR>.<MINOR>', 'v1.2')).toBe(true);
    expect(fitsPattern('<RELEASE_TAG>', `sha256:${'0'.repeat(64)}`)).toBe(true);
  });
});

interface TemplateCase {
  name: string;
  template: unknown;
  problems: Array<{ path: string; code: Problem['code'] }>;
}

const templateCases: TemplateCase[] = [
  { name: 'the seed example is accepted as is', template: SEED, problems: [] },
  { name: 'a rich template is accepted', template: RICH, problems: [] },
  { name: 'empty template', template: {}, problems: [p('', 'INVALID_SHAPE')] },
  { name: 'empty group', template: { core: {} }, problems: [p('core', 'INVALID_SHAPE')] },
  {
    name: 'unknown workload kind',
    template: { core: { api: { Job: { containers: { api: { repo: 'org/api', tag: '1' } } } } } },
    problems: [p('core.api.Job', 'UNKNOWN_WORKLOAD_KIND')],
  },
  {
    name: 'invalid repository',
    template: { core: { api: { CronJob: { containers: { api: { repo: 'org//api', tag: '1' } } } } } },
    problems: [p('core.api.CronJob.containers.api.repo', 'INVALID_REPOSITORY')],
  },
  {
    name: 'placeholder in a repository',
    template: { core: { api: { CronJob: { containers: { api: { repo: 'org/<NAME>', tag: '1' } } } } } },
    problems: [p('core.api.CronJob.containers.api.repo', 'PLACEHOLDER_NOT_ALLOWED')],
  },
  {
    name: 'lowercase placeholder',
    template: { core: { api: { Deployment: { containers: { api: { repo: 'org/api', tag: '<release_tag>' } } } } } },
    problems: [p('core.api.Deployment.containers.api.tag', 'INVALID_PLACEHOLDER')],
  },
  {
    name: 'unclosed placeholder',
    template: { core: { api: { Deployment: { containers: { api: { repo: 'org/api', tag: '<RELEASE_TAG' } } } } } },
    problems: [p('core.api.Deployment.containers.api.tag', 'INVALID_PLACEHOLDER')],
  },
  {
    name: 'pinned tag that is not a tag',
    template: { core: { api: { Deployment: { containers: { api: { repo: 'org/api', tag: 'a b' } } } } } },
    problems: [p('core.api.Deployment.containers.api.tag', 'INVALID_TAG')],
  },
  {
    name: 'moving tag that can never be valid',
    template: { core: { api: { Deployment: { containers: { api: { repo: 'org/api', tag: '.<X>' } } } } } },
    problems: [p('core.api.Deployment.containers.api.tag', 'INVALID_TAG')],
  },
  {
    name: 'at most 8 placeholders per tag (security notes, inputs)',
    template: { core: { api: { Deployment: { containers: { api: { repo: 'org/api', tag: '<A>'.repeat(9) } } } } } },
    problems: [p('core.api.Deployment.containers.api.tag', 'TOO_MANY_PLACEHOLDERS')],
  },
  {
    name: 'eight placeholders, adjacent ones included, are accepted',
    template: { core: { api: { Deployment: { containers: { api: { repo: 'org/api', tag: '<A><B>.<C>-<D><E><F><G><H>x' } } } } } },
    problems: [],
  },
  {
    name: 'optional must be a boolean',
    template: { core: { api: { Deployment: { optional: 'yes', containers: { api: { repo: 'org/api', tag: '1' } } } } } },
    problems: [p('core.api.Deployment.optional', 'INVALID_SHAPE')],
  },
  {
    name: 'workload without containers',
    template: { core: { api: { Deployment: {} } } },
    problems: [p('core.api.Deployment.containers', 'MISSING_FIELD')],
  },
  {
    name: 'workload with zero containers',
    template: { core: { api: { Deployment: { containers: {} } } } },
    problems: [p('core.api.Deployment.containers', 'INVALID_SHAPE')],
  },
];

describe('validateTemplate', () => {
  it.each(templateCases)('$name', (tc) => {
    const result = validateTemplate(tc.template);
    expect(result.ok ? [] : result.problems.map(({ path, code }) => ({ path, code }))).toEqual(tc.problems);
  });
});
