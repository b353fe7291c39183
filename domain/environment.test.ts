// Table-driven promotion rules: each case is an input and the exact problems (or violation) it must produce.
import { describe, expect, it } from 'vitest';
import {
  applicationsOf,
  checkArgoSelection,
  checkPromotionRules,
  checkUpstreamGraph,
  matchApplicationsToGroups,
  type RuleViolation,
} from './environment.js';

describe('checkUpstreamGraph', () => {
  const up = (...upstream: string[]) => ({ upstream });
  const cases: Array<{ name: string; graph: Record<string, { upstream: string[] }>; problems: string[] }> = [
    { name: 'no environments', graph: {}, problems: [] },
    { name: 'a single environment without upstream', graph: { dev: up() }, problems: [] },
    { name: 'a chain dev → staging → prod', graph: { dev: up(), staging: up('dev'), prod: up('staging') }, problems: [] },
    {
      name: 'a diamond (prod needs both staging and qa)',
      graph: { dev: up(), staging: up('dev'), qa: up('dev'), prod: up('staging', 'qa') },
      problems: [],
    },
    { name: 'an environment listing itself', graph: { dev: up('dev') }, problems: ['dev lists itself as upstream'] },
    { name: 'an unknown upstream', graph: { dev: up(), prod: up('qa') }, problems: ['prod: unknown upstream environment "qa"'] },
    {
      name: 'the same unknown upstream twice is reported once',
      graph: { prod: up('qa', 'qa') },
      problems: ['prod: unknown upstream environment "qa"'],
    },
    { name: 'a two-environment cycle', graph: { a: up('b'), b: up('a') }, problems: ['upstream cycle: a -> b -> a'] },
    {
      name: 'a three-environment cycle, found from the first environment',
      graph: { a: up('c'), b: up('a'), c: up('b') },
      problems: ['upstream cycle: a -> c -> b -> a'],
    },
    {
      name: 'a cycle reached through an environment outside it is reported once',
      graph: { dev: up('staging'), staging: up('dev'), prod: up('staging') },
      problems: ['upstream cycle: dev -> staging -> dev'],
    },
    {
      name: 'several problems at once: reference problems first, then cycles',
      graph: { dev: up('dev', 'ghost'), staging: up('prod'), prod: up('staging') },
      problems: ['dev lists itself as upstream', 'dev: unknown upstream environment "ghost"', 'upstream cycle: staging -> prod -> staging'],
    },
  ];
  it.each(cases)('$name', ({ graph, problems }) => {
    expect(checkUpstreamGraph(graph)).toEqual(problems);
  });
});

describe('checkPromotionRules', () => {
  const base = {
    environment: 'prod',
    releaseId: 'r2',
    currentReleaseId: 'r1' as string | null,
    upstream: ['staging'],
    succeededIn: ['staging'],
  };
  const cases: Array<{ name: string; input: Partial<typeof base>; violation: RuleViolation | undefined }> = [
    { name: 'upstream succeeded: allowed', input: {}, violation: undefined },
    { name: 'no upstream: always allowed', input: { upstream: [], succeededIn: [] }, violation: undefined },
    { name: 'a first promotion (nothing current) with upstream succeeded', input: { currentReleaseId: null }, violation: undefined },
    {
      name: 'the release is already current',
      input: { currentReleaseId: 'r2' },
      violation: { code: 'ALREADY_CURRENT', message: 'release r2 is already current in prod' },
    },
    {
      name: 'already current wins over a missing upstream',
      input: { currentReleaseId: 'r2', succeededIn: [] },
      violation: { code: 'ALREADY_CURRENT', message: 'release r2 is already current in prod' },
    },
    {
      name: 'the upstream has not run the release',
      input: { succeededIn: ['dev'] },
      violation: {
        code: 'UPSTREAM_NOT_PROMOTED',
        message: 'release r2 has not succeeded in staging (upstream of prod)',
        missing: ['staging'],
      },
    },
    {
      name: 'nothing current and the upstream missing',
      input: { currentReleaseId: null, succeededIn: [] },
      violation: {
        code: 'UPSTREAM_NOT_PROMOTED',
        message: 'release r2 has not succeeded in staging (upstream of prod)',
        missing: ['staging'],
      },
    },
    {
      name: 'one of two upstreams missing',
      input: { upstream: ['staging', 'qa'], succeededIn: ['staging'] },
      violation: { code: 'UPSTREAM_NOT_PROMOTED', message: 'release r2 has not succeeded in qa (upstream of prod)', missing: ['qa'] },
    },
    {
      name: 'all upstreams missing, listed in upstream order',
      input: { upstream: ['staging', 'qa'], succeededIn: [] },
      violation: {
        code: 'UPSTREAM_NOT_PROMOTED',
        message: 'release r2 has not succeeded in staging, qa (upstream of prod)',
        missing: ['staging', 'qa'],
      },
    },
    {
      name: 'a rollback to a release this environment ran before skips the upstream rule',
      input: { succeededIn: ['prod'] },
      violation: undefined,
    },
  ];
  it.each(cases)('$name', ({ input, violation }) => {
    expect(checkPromotionRules({ ...base, ...input })).toEqual(violation);
  });

  const verified = { ...base, upstream: ['staging', 'qa'], succeededIn: ['staging', 'qa'], upstreamRequires: 'verified' as const };
  const verifiedCases: Array<{
    name: string;
    input: Partial<typeof verified> & { verifiedIn?: string[] };
    violation: RuleViolation | undefined;
  }> = [
    { name: 'verified in every upstream: allowed', input: { verifiedIn: ['staging', 'qa'] }, violation: undefined },
    {
      name: 'succeeded but not verified in one upstream (soaking, revoked): refused',
      input: { verifiedIn: ['staging'] },
      violation: {
        code: 'UPSTREAM_NOT_VERIFIED',
        message: 'release r2 is not verified in qa (upstream of prod, which requires verified)',
        missing: ['qa'],
      },
    },
    {
      name: 'not succeeded upstream at all is still UPSTREAM_NOT_PROMOTED',
      input: { succeededIn: ['staging'], verifiedIn: ['staging'] },
      violation: { code: 'UPSTREAM_NOT_PROMOTED', message: 'release r2 has not succeeded in qa (upstream of prod)', missing: ['qa'] },
    },
    {
      name: 'succeeded suffices when only succeeded is required',
      input: { upstreamRequires: undefined, verifiedIn: [] },
      violation: undefined,
    },
    { name: 'the rollback exception stays', input: { succeededIn: ['prod'], verifiedIn: [] }, violation: undefined },
  ];
  it.each(verifiedCases)('upstreamRequires verified: $name', ({ input, violation }) => {
    expect(checkPromotionRules({ ...verified, ...input })).toEqual(violation);
  });
});

describe('application selection', () => {
  it('checks the selector syntax and that exactly one way of selecting is given', () => {
    expect(checkArgoSelection({ applicationSelector: 'flow-controller.io/environment={env},team in (a,b),!legacy' })).toEqual([]);
    expect(checkArgoSelection({ applicationPattern: '{env}-{group}' })).toEqual([]);
    expect(checkArgoSelection({ applicationSelector: 'team in (a,b' })[0]?.message).toMatch(/^invalid label selector/);
    expect(checkArgoSelection({ applicationSelector: 'team=a b' })[0]?.message).toMatch(/^invalid label selector/);
    expect(checkArgoSelection({ applicationSelector: ' , ' })[0]?.message).toContain('at least one requirement');
    expect(checkArgoSelection({ applicationSelector: 'a=b', applicationPattern: 'x' })[0]?.path).toBe('argocd.applicationSelector');
    expect(checkArgoSelection({ groupLabel: 'g' })[0]?.path).toBe('argocd.groupLabel');
  });

  it('names applications by pattern, defaulting to {env}-{group}', () => {
    expect(applicationsOf({ name: 'dev', argocd: {} }, { infra: {}, core: {} })).toEqual([
      { group: 'core', name: 'dev-core' },
      { group: 'infra', name: 'dev-infra' },
    ]);
  });

  it('matches selected applications to groups by the group label, naming the groups that have none or several', () => {
    const env = { name: 'prod', argocd: { applicationSelector: 'flow-controller.io/environment={env}' } };
    const apps = [
      { name: 'prod-core-x7k2', labels: { 'flow-controller.io/group': 'core' } },
      { name: 'prod-web-a', labels: { 'flow-controller.io/group': 'web' } },
      { name: 'prod-web-b', labels: { 'flow-controller.io/group': 'web' } },
    ];
    expect(matchApplicationsToGroups(env, ['core', 'infra', 'web'], apps)).toEqual([
      { group: 'core', name: 'prod-core-x7k2' },
      {
        group: 'infra',
        problem:
          'no Argo CD application selected by "flow-controller.io/environment=prod" has label flow-controller.io/group=infra (group infra)',
      },
      {
        group: 'web',
        problem:
          'several Argo CD applications selected by "flow-controller.io/environment=prod" have label flow-controller.io/group=web: prod-web-a, prod-web-b',
      },
    ]);
    const custom = { name: 'prod', argocd: { applicationSelector: 'x=y', groupLabel: 'team/group' } };
    expect(matchApplicationsToGroups(custom, ['core'], [{ name: 'a', labels: { 'team/group': 'core' } }])).toEqual([
      { group: 'core', name: 'a' },
    ]);
  });
});
