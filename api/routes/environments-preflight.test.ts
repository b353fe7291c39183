// Preflight (issue #9 §3) against real services: the simulator (Argo CD + Kubernetes), a real bare Git
// repository and Postgres. Each misconfiguration is submitted with PUT ?dryRun=true (nothing saved) or set up
// in the real systems, and must show as the named check with an actionable message.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, testConfig, useTestDatabase } from '../../test/harness.js';
import { preflightAll, preflightDepsOf } from '../services/preflight.js';
import { apiHarness, type ApiHarness, type Loose } from '../../test/api-harness.js';
import { createRig, SAMPLE_GROUPS, SAMPLE_TEMPLATE, sampleDescriptor, type Rig } from '../../sim/rig.js';
import { CHART_DIR } from '../../sim/rig-repo.js';
import { commitFiles } from '../../sim/gitops-repo.js';
import { renderEnvironment } from '../../gitops/render.js';
import type { EnvironmentConfig } from '../../domain/environment.js';
import type { Descriptor } from '../../domain/descriptor.js';
import { getRelease } from '../../db/releases.js';
import { readFilesAt } from '../../gitops/repo.js';
import { zoneOffsetMs } from '../../domain/time-zone.js';

const db = useTestDatabase();
const sfx = randomBytes(3).toString('hex');
const OK_ENV = `pa-${sfx}`;
const DIFF_ENV = `pb-${sfx}`;
const SECRET_PREFIX = `FC_SECRET_PF_${sfx.toUpperCase()}`;
const BAD_TOKEN_VAR = `${SECRET_PREFIX}_BAD_ARGO_TOKEN`;

let dir: string;
let rig: Rig;
let h: ApiHarness;
let release: { id: string; digest: string; productVersion: string; descriptor: Descriptor };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fc-preflight-'));
  rig = await createRig({ dataDir: dir, environments: [OK_ENV, DIFF_ENV], groups: SAMPLE_GROUPS, secretPrefix: SECRET_PREFIX });
  Object.assign(process.env, rig.secrets, { [BAD_TOKEN_VAR]: 'not-a-valid-argo-token' });
  h = await apiHarness(db.database);
  for (const [i, name] of [OK_ENV, DIFF_ENV].entries()) {
    const res = await h.call('PUT', `/v1/environments/${name}`, { body: rig.environmentConfig(name, { displayOrder: i }) });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
  expect((await h.call('PUT', '/v1/templates/default', { body: SAMPLE_TEMPLATE })).status).toBeLessThan(300);
  const rel = await h.call('POST', '/v2/releases/create/1.0.0', { body: sampleDescriptor('1.4.2'), token: h.tokens.releaser });
  expect(rel.status, JSON.stringify(rel.body)).toBe(201);
  const row = await getRelease(db.database.db, { id: (rel.body as { releaseId: string }).releaseId });
  if (!row) throw new Error('release not stored');
  release = { id: row.id, digest: row.digest, productVersion: row.productVersion, descriptor: row.descriptor as Descriptor };
  // What a succeeded promotion records (the Git side is left as it was: the pending diff).
  await db.database.sql`update environments set current_release_id = ${release.id} where name = ${DIFF_ENV}`;
});
afterAll(async () => {
  await rig?.close();
  await rm(dir, { recursive: true, force: true });
});

const preflight = (env: string, token = h.tokens.admin) => h.call('POST', `/v1/environments/${env}/preflight`, { token });
const dryRun = (env: string, body: EnvironmentConfig) => h.call('PUT', `/v1/environments/${env}?dryRun=true`, { body });
const byId = (report: Loose, id: string): Loose => {
  const found = (report.checks as Loose[]).find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id} in ${JSON.stringify(report.checks.map((c: Loose) => c.id))}`);
  return found;
};
const base = () => rig.environmentConfig(OK_ENV);

describe('POST /v1/environments/:env/preflight', () => {
  it('npm start summarises every environment in one line each', async () => {
    const results = await preflightAll(preflightDepsOf(testConfig(), db.database, silentLogger, { gitWorkDir: join(dir, 'work') }));
    const mine = Object.fromEntries(
      results.filter((r) => [OK_ENV, DIFF_ENV].includes(r.environment)).map((r) => [r.environment, r.summary]),
    );
    expect(mine).toEqual({ [OK_ENV]: 'ok', [DIFF_ENV]: '1 warning' }); // the pending diff, shown by the next test
  });

  it('an environment wired correctly: every check ok, nothing leaks', async () => {
    const res = await preflight(OK_ENV);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const report = res.body;
    expect(
      report.checks.filter((c: Loose) => c.status !== 'ok'),
      JSON.stringify(report.checks, null, 1),
    ).toEqual([]);
    expect(report.status).toBe('ok');
    expect(report.groups).toEqual([...SAMPLE_GROUPS]);
    const ids = report.checks.map((c: Loose) => c.id);
    for (const id of [
      'git.reachable',
      'git.branch',
      'git.diff',
      'argocd.reachable',
      'argocd.authenticated',
      'kubernetes.reachable',
      'kubernetes.namespace',
      'kubernetes.workloads',
    ]) {
      expect(ids).toContain(id);
    }
    for (const g of SAMPLE_GROUPS) {
      for (const kind of ['application', 'source', 'auto-sync', 'sync-windows']) expect(ids).toContain(`argocd.${kind}:${OK_ENV}-${g}`);
      expect(ids).toContain(`git.values:${g}`);
    }
    const text = JSON.stringify(report);
    for (const secret of Object.values(rig.secrets)) expect(text).not.toContain(secret);
  });

  it('a pending diff is shown when Git differs from the current release, and is empty once in sync', async () => {
    const before = await preflight(DIFF_ENV);
    expect(before.status).toBe(200);
    const diff = byId(before.body, 'git.diff');
    expect(diff.status).toBe('warning');
    expect(diff.message).toContain(`environments/${DIFF_ENV}/core/values.yaml`);
    expect(diff.diff).toContain(`+++ b/environments/${DIFF_ENV}/core/values.yaml`);
    expect(diff.diff).toMatch(/^\+ +tag: "1\.4\.2"$/m);
    expect(diff.diff).toMatch(/^-workloads: \{\}$/m);
    expect(diff.diff).toMatch(/^ # pb-.*comments survive promotions$/m);
    expect(before.body.releaseId).toBe(release.id);

    // Write what the promotion would write: the diff is then empty.
    const files = await currentFiles(DIFF_ENV);
    const rendered = renderEnvironment({
      environment: DIFF_ENV,
      descriptor: release.descriptor,
      releaseId: release.id,
      descriptorDigest: release.digest,
      productVersion: release.productVersion,
      readFile: (p) => files[p],
    }).files;
    await commitFiles(rig.git.repoPath, Object.fromEntries(rendered.map((f) => [f.path, f.content])), 'promote by hand', 'main');
    const after = await preflight(DIFF_ENV);
    expect(byId(after.body, 'git.diff')).toMatchObject({ status: 'ok', diff: '' });
    expect(after.body.status).toBe('ok');
  });

  it('viewer → 403, promoter out of scope → 403, promoter in scope → 200, unknown environment → 404', async () => {
    expect((await preflight(OK_ENV, h.tokens.viewer)).status).toBe(403);
    expect((await preflight(OK_ENV, h.tokens.promoter)).status).toBe(403); // scoped to staging
    const issued = await h.call('POST', '/v1/tokens', { body: { name: `pf-${sfx}`, role: 'promoter', scopes: [OK_ENV] } });
    expect(issued.status).toBe(201);
    expect((await preflight(OK_ENV, issued.body.token)).status).toBe(200);
    expect((await preflight(`nope-${sfx}`)).status).toBe(404);
    expect((await h.call('POST', `/v1/environments/${OK_ENV}/preflight`, { token: null })).status).toBe(401);
  });
});

describe('PUT /v1/environments/:env?dryRun=true', () => {
  it('reports on the submitted configuration and saves nothing', async () => {
    const stored = await h.call('GET', `/v1/environments/${OK_ENV}?live=false`);
    const res = await dryRun(OK_ENV, { ...base(), gitops: { ...base().gitops, branch: 'release-nope' } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.environment).toBe(OK_ENV);
    const after = await h.call('GET', `/v1/environments/${OK_ENV}?live=false`);
    expect(after.body.config).toEqual(stored.body.config);
    expect(after.body.config.gitops.branch).toBe('main');
    expect(after.body.updatedAt).toBe(stored.body.updatedAt);
    // Still admin-only, and still under the installation's policy (422 before anything is contacted).
    expect((await h.call('PUT', `/v1/environments/${OK_ENV}?dryRun=true`, { body: base(), token: h.tokens.promoter })).status).toBe(403);
    const bad = await dryRun(OK_ENV, { ...base(), gitops: { ...base().gitops, repoUrl: 'https://user:pw@git.example.com/x.git' } });
    expect(bad.status).toBe(422);
  });

  it('a wrong branch is an error naming the branch', async () => {
    const res = await dryRun(OK_ENV, { ...base(), gitops: { ...base().gitops, branch: 'release-nope' } });
    expect(res.body.status).toBe('error');
    expect(byId(res.body, 'git.reachable').status).toBe('ok');
    expect(byId(res.body, 'git.branch')).toMatchObject({
      status: 'error',
      message: expect.stringContaining('"release-nope" does not exist'),
    });
  });

  it('a missing values file is an error naming the path', async () => {
    const res = await dryRun(OK_ENV, { ...base(), gitops: { ...base().gitops, pathPattern: 'environments/{env}/{group}/missing.yaml' } });
    const values = byId(res.body, 'git.values:core');
    expect(values.status).toBe('error');
    expect(values.message).toContain(`environments/${OK_ENV}/core/missing.yaml`);
    // Argo CD's Application reads another file than the one Flow Controller would write.
    expect(byId(res.body, `argocd.source:${OK_ENV}-core`).status).toBe('error');
  });

  it('a missing Argo CD Application is an error naming it', async () => {
    const res = await dryRun(OK_ENV, { ...base(), argocd: { ...base().argocd, applicationPattern: 'ghost-{env}-{group}' } });
    const app = byId(res.body, `argocd.application:ghost-${OK_ENV}-core`);
    expect(app.status).toBe('error');
    expect(app.message).toContain('not found in project "default"');
  });

  it('a wrong Argo CD token is an authentication error', async () => {
    const { serverUrl, project, applicationPattern } = base().argocd;
    const res = await dryRun(OK_ENV, { ...base(), argocd: { serverUrl, project, applicationPattern, tokenRef: `env:${BAD_TOKEN_VAR}` } });
    const auth = byId(res.body, 'argocd.authenticated');
    expect(auth.status).toBe('error');
    expect(auth.message).toContain('authentication');
    expect(JSON.stringify(res.body)).not.toContain('not-a-valid-argo-token');
  });

  it('a missing Kubernetes namespace is an error; workloads are still readable', async () => {
    const res = await dryRun(OK_ENV, { ...base(), kubernetes: { ...base().kubernetes, namespace: `nope-${sfx}` } });
    expect(byId(res.body, 'kubernetes.namespace')).toMatchObject({
      status: 'error',
      message: expect.stringContaining(`"nope-${sfx}" does not exist`),
    });
    expect(byId(res.body, 'kubernetes.workloads').status).toBe('ok');
  });

  it('an auto-synced Application is a warning', async () => {
    for (const g of SAMPLE_GROUPS) {
      await rig.simulator.addApplication({
        name: `auto-${OK_ENV}-${g}`,
        project: 'default',
        repoURL: rig.git.repoURL,
        path: `environments/${OK_ENV}/${g}`,
        targetRevision: 'main',
        valueFiles: ['values.yaml'],
        namespace: OK_ENV,
        automated: true,
      });
    }
    const res = await dryRun(OK_ENV, { ...base(), argocd: { ...base().argocd, applicationPattern: 'auto-{env}-{group}' } });
    expect(byId(res.body, `argocd.auto-sync:auto-${OK_ENV}-core`)).toMatchObject({
      status: 'warning',
      message: expect.stringContaining('auto-sync is on'),
    });
    expect(res.body.status).toBe('warning');
  });

  it('a sync window that blocks syncs now is a warning', async () => {
    rig.simulator.faults.blockSyncs(`${OK_ENV}-infra`);
    try {
      const res = await dryRun(OK_ENV, base());
      expect(byId(res.body, `argocd.sync-windows:${OK_ENV}-infra`)).toMatchObject({
        status: 'warning',
        message: expect.stringContaining('blocks syncs'),
      });
      expect(byId(res.body, `argocd.sync-windows:${OK_ENV}-core`).status).toBe('ok');
    } finally {
      rig.simulator.faults.unblockSyncs(`${OK_ENV}-infra`);
    }
  });

  it('names the AppProject’s windows: ok with their schedules while syncs are allowed, a warning saying when a blocking one opens', async () => {
    // Judged on the simulator's clock (Argo CD's): a deny window that began a minute ago, for an hour, on the core app.
    const start = new Date(Math.floor(rig.simulator.now() / 60_000) * 60_000 - 60_000);
    const schedule = `${start.getUTCMinutes()} ${start.getUTCHours()} * * *`;
    // And one in Berlin's time that ended two hours ago (daily, 3 to 2 hours before now).
    const berlin = new Date(rig.simulator.now() + zoneOffsetMs('Europe/Berlin', rig.simulator.now()) - 3 * 3_600_000);
    const closed = `${berlin.getUTCMinutes()} ${berlin.getUTCHours()} * * *`;
    rig.simulator.setSyncWindows('default', [
      { kind: 'deny', schedule, duration: '1h', applications: [`${OK_ENV}-core`] },
      { kind: 'deny', schedule: closed, duration: '1h', applications: [`${OK_ENV}-infra`], timeZone: 'Europe/Berlin' },
    ]);
    try {
      const res = await dryRun(OK_ENV, base());
      const blocked = byId(res.body, `argocd.sync-windows:${OK_ENV}-core`);
      expect(blocked.status).toBe('warning');
      expect(blocked.message).toContain(
        `blocked by sync window ${schedule} (deny 1h): ${OK_ENV}-core may sync at ${new Date(start.getTime() + 3_600_000 + 1000).toISOString()}`,
      );
      expect(blocked.message).toContain('resumes on its own when the window opens');
      expect(byId(res.body, `argocd.sync-windows:${OK_ENV}-infra`)).toMatchObject({
        status: 'ok',
        message: `sync window(s) ${closed} (deny 1h, Europe/Berlin) apply to ${OK_ENV}-infra; syncs are allowed now`,
      });
    } finally {
      rig.simulator.setSyncWindows('default', []);
    }
  });
});

describe('multi-source Applications', () => {
  const HELM_REPO = 'https://charts.example.com/stable';
  /** Adds `<prefix>-<env>-<group>` apps: the chart from a Helm repository, its values `$values/<file>` from `valuesRepo`. */
  const addApps = async (prefix: string, valuesRepo: string, file: (g: string) => string) => {
    for (const g of SAMPLE_GROUPS) {
      await rig.simulator.addApplication({
        name: `${prefix}-${OK_ENV}-${g}`,
        namespace: OK_ENV,
        sources: [
          { repoURL: HELM_REPO, chart: 'flow-workloads', targetRevision: '0.1.0', helm: { valueFiles: [`$values/${file(g)}`] } },
          { repoURL: valuesRepo, targetRevision: 'main', ref: 'values' },
        ],
      });
    }
  };
  const withPattern = (pattern: string) => dryRun(OK_ENV, { ...base(), argocd: { ...base().argocd, applicationPattern: pattern } });
  beforeAll(() => {
    rig.simulator.registerHelmChart({ repoURL: HELM_REPO, chart: 'flow-workloads', version: '0.1.0', dir: CHART_DIR });
  });

  it('reports which source Flow Controller writes: the ref: values source reading the repository', async () => {
    await addApps('ms', rig.git.repoURL, (g) => `environments/${OK_ENV}/${g}/values.yaml`);
    const res = await withPattern('ms-{env}-{group}');
    const source = byId(res.body, `argocd.source:ms-${OK_ENV}-core`);
    expect(source.status, source.message).toBe('ok');
    expect(source.message).toContain(`Application ms-${OK_ENV}-core (multi-source) reads environments/${OK_ENV}/core/values.yaml`);
    expect(source.message).toContain(`Flow Controller writes source 2 of 2 (ref "values", ${rig.git.repoURL})`);
    expect(source.message).toContain('the other source keeps its targetRevision');
  });

  it('an app whose values come from another repository is an error naming the repositories', async () => {
    await addApps('msx', '/nonexistent/other.git', (g) => `environments/${OK_ENV}/${g}/values.yaml`);
    const source = byId((await withPattern('msx-{env}-{group}')).body, `argocd.source:msx-${OK_ENV}-core`);
    expect(source.status).toBe('error');
    expect(source.message).toContain(`reads ${HELM_REPO}, /nonexistent/other.git, not ${rig.git.repoURL}`);
  });

  it('an app reading another values file says how to point $values at it', async () => {
    await addApps('msp', rig.git.repoURL, (g) => `environments/elsewhere/${g}/values.yaml`);
    const source = byId((await withPattern('msp-{env}-{group}')).body, `argocd.source:msp-${OK_ENV}-core`);
    expect(source.status).toBe('error');
    expect(source.message).toContain(`does not read environments/${OK_ENV}/core/values.yaml, which Flow Controller writes`);
    expect(source.message).toContain(`"$<ref>/environments/${OK_ENV}/core/values.yaml"`);
    expect(source.message).toContain('it reads environments/elsewhere/core/values.yaml now');
  });
});

async function currentFiles(env: string): Promise<Record<string, string | undefined>> {
  const paths = SAMPLE_GROUPS.map((g) => `environments/${env}/${g}/values.yaml`);
  return (await readFilesAt({ repoUrl: rig.git.repoURL, branch: 'main', workDir: join(dir, 'read'), paths })).files;
}
