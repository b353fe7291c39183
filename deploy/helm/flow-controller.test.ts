// deploy/helm/flow-controller (Flow Controller's own chart) rendered and linted by real Helm (integrations/helm.ts →
// helm-python-sdk), with defaults and with the features switched on; assertions on the parsed objects: kinds,
// probes, security context, secrets by reference only, the migration hook, and labels that select what they mean to.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { lintChart, renderChart, type Manifest } from '../../integrations/helm.js';
import { ConfigSchema } from '../../lib/config.js';
import { WORKER_MALLOC_ENV, WORKER_NODE_FLAGS } from '../../lib/worker-flags.js';

const CHART = path.join(import.meta.dirname, 'flow-controller');
/* eslint-disable @typescript-eslint/no-explicit-any -- rendered Kubernetes objects are walked as plain data */
type Obj = Record<string, any>;

const render = async (values: Record<string, unknown> = {}) =>
  (await renderChart({ chartDir: CHART, releaseName: 'fc', namespace: 'flow', values })).map((m: Manifest) => m.object as Obj);
const find = (objs: Obj[], kind: string, name: string): Obj => {
  const o = objs.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`${kind}/${name} not rendered: ${objs.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')}`);
  return o;
};
const kinds = (objs: Obj[]) => objs.map((o) => `${o.kind}/${o.metadata.name}`).sort();
const containerOf = (pod: Obj): Obj => pod.spec.containers[0];
const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

const ON = { ingress: { enabled: true }, metrics: { serviceMonitor: { enabled: true } }, api: { replicas: 3 }, worker: { replicas: 3 } };
let defaults: Obj[];
let enabled: Obj[];
beforeAll(async () => {
  [defaults, enabled] = await Promise.all([render(), render(ON)]);
});

describe('flow-controller chart', () => {
  it('lints strictly with defaults and with the features on, and refuses bad values through its schema', async () => {
    for (const values of [{}, ON]) {
      const lint = await lintChart({ chartDir: CHART, values, namespace: 'flow', strict: true });
      expect(lint.errors).toEqual([]);
      expect(lint.messages.filter((m) => m.severity !== 'info')).toEqual([]);
    }
    const bad = await lintChart({ chartDir: CHART, values: { api: { replicas: -1 }, image: { digest: 'latest' } }, strict: true });
    expect(bad.ok).toBe(false);
    expect(bad.errors.join('\n')).toMatch(/replicas/);
    expect(bad.errors.join('\n')).toMatch(/digest/);
    // A secret value in the values is refused: the chart takes Secret names only.
    const plaintext = await lintChart({ chartDir: CHART, values: { secrets: { databaseUrl: 'postgres://u:p@db/fc' } } });
    expect(plaintext.ok).toBe(false);
  });

  it('renders the API and worker apart, with the optional features absent by default', () => {
    expect(kinds(defaults)).toEqual([
      'ConfigMap/fc-flow-controller',
      'Deployment/fc-flow-controller-api',
      'Deployment/fc-flow-controller-worker',
      'Job/fc-flow-controller-migrate',
      'NetworkPolicy/fc-flow-controller-api',
      'NetworkPolicy/fc-flow-controller-worker',
      'PodDisruptionBudget/fc-flow-controller-api',
      'PodDisruptionBudget/fc-flow-controller-worker',
      'Service/fc-flow-controller-api',
      'Service/fc-flow-controller-worker',
      'ServiceAccount/fc-flow-controller',
    ]);
    expect(find(defaults, 'Deployment', 'fc-flow-controller-api').spec.replicas).toBe(2);
    expect(kinds(enabled)).toEqual(
      expect.arrayContaining([
        'Ingress/fc-flow-controller',
        'ServiceMonitor/fc-flow-controller-api',
        'ServiceMonitor/fc-flow-controller-worker',
      ]),
    );
    for (const name of ['api', 'worker']) expect(find(enabled, 'Deployment', `fc-flow-controller-${name}`).spec.replicas).toBe(3);
  });

  it('leaves out what is switched off: NetworkPolicies, PDBs, the migration Job, the ServiceAccount', async () => {
    const off = await render({
      networkPolicy: { enabled: false },
      api: { podDisruptionBudget: { enabled: false } },
      worker: { podDisruptionBudget: { enabled: false } },
      migrations: { enabled: false },
      serviceAccount: { create: false },
    });
    for (const kind of ['NetworkPolicy', 'PodDisruptionBudget', 'Job', 'ServiceAccount', 'Ingress', 'ServiceMonitor']) {
      expect(
        off.filter((o) => o.kind === kind),
        kind,
      ).toEqual([]);
    }
    expect(find(off, 'Deployment', 'fc-flow-controller-api').spec.template.spec.serviceAccountName).toBe('default');
  });

  it('probes: API /livez and /readyz on the API port, worker /livez and /readyz on WORKER_HTTP_PORT (0.0.0.0)', () => {
    const api = containerOf(find(defaults, 'Deployment', 'fc-flow-controller-api').spec.template);
    expect(api.command).toEqual(['node', 'build/api/server.js']);
    expect(api.ports).toEqual([{ name: 'http', containerPort: 3000, protocol: 'TCP' }]);
    expect(api.livenessProbe.httpGet).toEqual({ path: '/livez', port: 'http' });
    expect(api.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    const configMap = find(defaults, 'ConfigMap', 'fc-flow-controller');
    expect(configMap.data).toMatchObject({ HOST: '0.0.0.0', PORT: '3000' });

    const worker = containerOf(find(defaults, 'Deployment', 'fc-flow-controller-worker').spec.template);
    expect(worker.command).toEqual(['node', ...WORKER_NODE_FLAGS, 'build/worker.js']);
    expect(worker.ports).toEqual([{ name: 'metrics', containerPort: 9464, protocol: 'TCP' }]);
    expect(worker.livenessProbe.httpGet).toEqual({ path: '/livez', port: 'metrics' });
    expect(worker.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'metrics' });
    const env = Object.fromEntries((worker.env as Obj[]).map((e) => [e.name, e.value]));
    expect(env).toMatchObject({ WORKER_HTTP_HOST: '0.0.0.0', WORKER_HTTP_PORT: '9464', ...WORKER_MALLOC_ENV });
    expect(find(defaults, 'Deployment', 'fc-flow-controller-worker').spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(10);
  });

  it('runs every pod non-root with a read-only root filesystem, writable emptyDirs for FC_DATA_DIR and /tmp only', () => {
    const dataDir = find(defaults, 'ConfigMap', 'fc-flow-controller').data.FC_DATA_DIR;
    for (const [kind, name] of [
      ['Deployment', 'fc-flow-controller-api'],
      ['Deployment', 'fc-flow-controller-worker'],
      ['Job', 'fc-flow-controller-migrate'],
    ] as const) {
      const pod = find(defaults, kind, name).spec.template.spec;
      expect(pod.securityContext, name).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.automountServiceAccountToken, name).toBe(false);
      const c = containerOf({ spec: pod });
      expect(c.securityContext, name).toEqual({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
      expect(c.resources.requests, name).toBeDefined();
      expect(c.resources.limits.memory, name).toBeDefined();
      expect(JSON.stringify(c.command), name).not.toMatch(/tsx/);
      const volumes = new Map((pod.volumes as Obj[]).map((v) => [v.name, v]));
      for (const mount of c.volumeMounts as Obj[]) expect(volumes.get(mount.name)?.emptyDir, `${name} ${mount.mountPath}`).toBeDefined();
      const paths = (c.volumeMounts as Obj[]).map((m) => m.mountPath);
      expect(paths, name).toContain('/tmp');
      if (kind === 'Deployment') expect(paths, name).toContain(dataDir);
    }
  });

  it('renders no Secret and no secret value: credentials come from existing Secrets by reference', async () => {
    const withSecrets = await render({
      secrets: { existingSecret: 'fc-db', credentialsSecret: 'fc-git-argocd', filesSecret: 'fc-files' },
      migrations: { existingSecret: 'fc-owner' },
      api: { extraEnv: [{ name: 'EXTRA', valueFrom: { secretKeyRef: { name: 'fc-extra', key: 'k' } } }] },
    });
    for (const objs of [defaults, enabled, withSecrets]) {
      expect(objs.filter((o) => o.kind === 'Secret')).toEqual([]);
      const configMap = objs.find((o) => o.kind === 'ConfigMap') as Obj;
      for (const key of Object.keys(configMap.data)) expect(key).not.toMatch(/TOKEN|PASSWORD|SECRET_|DATABASE_URL/);
    }
    const api = containerOf(find(withSecrets, 'Deployment', 'fc-flow-controller-api').spec.template);
    expect(api.env).toContainEqual({ name: 'EXTRA', valueFrom: { secretKeyRef: { name: 'fc-extra', key: 'k' } } });
    const env = new Map((api.env as Obj[]).map((e) => [e.name, e]));
    expect(env.get('DATABASE_URL')).toEqual({ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'fc-db', key: 'DATABASE_URL' } } });
    expect(env.get('FLOW_ADMIN_TOKEN')?.valueFrom.secretKeyRef).toEqual({ name: 'fc-db', key: 'FLOW_ADMIN_TOKEN', optional: true });
    expect(api.envFrom).toEqual([{ configMapRef: { name: 'fc-flow-controller' } }, { secretRef: { name: 'fc-git-argocd' } }]);
    const pod = find(withSecrets, 'Deployment', 'fc-flow-controller-worker').spec.template.spec;
    expect((pod.volumes as Obj[]).find((v) => v.name === 'secret-files')?.secret.secretName).toBe('fc-files');
    expect(containerOf({ spec: pod }).volumeMounts).toContainEqual({ name: 'secret-files', mountPath: '/run/secrets', readOnly: true });
    const job = containerOf(find(withSecrets, 'Job', 'fc-flow-controller-migrate').spec.template);
    expect(job.env.find((e: Obj) => e.name === 'MIGRATION_DATABASE_URL').valueFrom.secretKeyRef).toEqual({
      name: 'fc-owner',
      key: 'MIGRATION_DATABASE_URL',
    });
  });

  it('takes METRICS_TOKEN from a Secret only: the API gets it by reference and its ServiceMonitor sends it', async () => {
    for (const key of ['METRICS_TOKEN', 'DATABASE_URL', 'FC_SECRET_GIT_PASSWORD']) {
      const lint = await lintChart({ chartDir: CHART, values: { extraConfig: { [key]: 'plaintext' } }, namespace: 'flow' });
      expect(lint.ok, key).toBe(false);
    }
    const objs = await render({ metrics: { tokenSecret: { name: 'fc-metrics', key: 'token' }, serviceMonitor: { enabled: true } } });
    const api = containerOf(find(objs, 'Deployment', 'fc-flow-controller-api').spec.template);
    expect((api.env as Obj[]).find((e) => e.name === 'METRICS_TOKEN')?.valueFrom.secretKeyRef).toEqual({
      name: 'fc-metrics',
      key: 'token',
    });
    const monitor = find(objs, 'ServiceMonitor', 'fc-flow-controller-api');
    expect(monitor.spec.endpoints[0].authorization).toEqual({ type: 'Bearer', credentials: { name: 'fc-metrics', key: 'token' } });
    expect(find(objs, 'ServiceMonitor', 'fc-flow-controller-worker').spec.endpoints[0].authorization).toBeUndefined();
    expect(
      (containerOf(find(defaults, 'Deployment', 'fc-flow-controller-api').spec.template).env as Obj[]).map((e) => e.name),
    ).not.toContain('METRICS_TOKEN');
  });

  it('puts only known lib/config.ts keys in the ConfigMap, extraConfig included', async () => {
    const objs = await render({ extraConfig: { FC_ALLOWED_HOSTS: 'git.example.com,*.argocd.example.com', HOST: '127.0.0.1' } });
    const data = find(objs, 'ConfigMap', 'fc-flow-controller').data as Record<string, string>;
    const known = new Set(Object.keys(ConfigSchema.shape));
    for (const key of Object.keys(data)) expect(known.has(key), key).toBe(true);
    expect(data.FC_ALLOWED_HOSTS).toBe('git.example.com,*.argocd.example.com');
    expect(data.HOST).toBe('0.0.0.0'); // the pod must listen beyond loopback whatever extraConfig says
    expect(ConfigSchema.safeParse(data).success).toBe(true);
  });

  it('runs migrations as a pre-install/pre-upgrade hook Job on the compiled entry, needing nothing the chart creates', () => {
    const job = find(defaults, 'Job', 'fc-flow-controller-migrate');
    expect(job.metadata.annotations).toEqual({
      'helm.sh/hook': 'pre-install,pre-upgrade',
      'helm.sh/hook-weight': '0',
      'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded',
    });
    const pod = job.spec.template.spec;
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.serviceAccountName).toBeUndefined();
    const c = containerOf({ spec: pod });
    expect(c.command).toEqual(['node', 'build/dev/migrate-cli.js']);
    expect(c.envFrom).toBeUndefined(); // the ConfigMap does not exist yet at pre-install
  });

  it('labels and selectors agree: Deployments, Services, PDBs, NetworkPolicies, ServiceMonitors, Ingress', () => {
    const deployments = enabled.filter((o) => o.kind === 'Deployment');
    for (const d of deployments) {
      const labels = d.spec.template.metadata.labels;
      expect(matches(d.spec.selector.matchLabels, labels), d.metadata.name).toBe(true);
      for (const key of ['name', 'instance', 'component', 'version', 'part-of', 'managed-by']) {
        expect(d.metadata.labels[`app.kubernetes.io/${key}`], `${d.metadata.name} ${key}`).toBeDefined();
      }
    }
    const selected = (selector: Record<string, string>) =>
      deployments.filter((d) => matches(selector, d.spec.template.metadata.labels)).map((d) => d.metadata.name);
    for (const component of ['api', 'worker']) {
      const name = `fc-flow-controller-${component}`;
      const deployment = find(enabled, 'Deployment', name);
      expect(selected(find(enabled, 'Service', name).spec.selector), `Service ${component}`).toEqual([name]);
      expect(find(enabled, 'PodDisruptionBudget', name).spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
      expect(selected(find(enabled, 'NetworkPolicy', name).spec.podSelector.matchLabels), `NetworkPolicy ${component}`).toEqual([name]);
      const monitor = find(enabled, 'ServiceMonitor', name);
      const service = find(enabled, 'Service', name);
      expect(matches(monitor.spec.selector.matchLabels, service.metadata.labels), `ServiceMonitor ${component}`).toBe(true);
      const portNames = (service.spec.ports as Obj[]).map((p) => p.name);
      expect(portNames).toContain(monitor.spec.endpoints[0].port);
      expect(monitor.spec.endpoints[0].path).toBe('/metrics');
      expect(monitor.spec.namespaceSelector).toEqual({ matchNames: ['flow'] });
    }
    const backend = find(enabled, 'Ingress', 'fc-flow-controller').spec.rules[0].http.paths[0].backend.service;
    expect(backend).toEqual({ name: 'fc-flow-controller-api', port: { name: 'http' } });
    expect(find(enabled, 'Service', 'fc-flow-controller-api').spec.ports[0]).toMatchObject({ name: 'http', targetPort: 'http' });
  });

  it('NetworkPolicies admit the API port only, and the worker port only from the monitoring namespaces', async () => {
    const api = find(defaults, 'NetworkPolicy', 'fc-flow-controller-api').spec;
    expect(api.policyTypes).toEqual(['Ingress']);
    expect(api.ingress).toEqual([{ ports: [{ port: 'http', protocol: 'TCP' }] }]);
    const worker = find(defaults, 'NetworkPolicy', 'fc-flow-controller-worker').spec;
    expect(worker.ingress).toEqual([
      {
        ports: [{ port: 'metrics', protocol: 'TCP' }],
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
      },
    ]);
    const from = [{ namespaceSelector: { matchLabels: { team: 'edge' } } }];
    // Helm merges maps: a default label is removed with null (as `--set …=null` does).
    const custom = await render({
      networkPolicy: {
        api: { from },
        worker: { metricsNamespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': null, team: 'obs' } } },
      },
    });
    expect(find(custom, 'NetworkPolicy', 'fc-flow-controller-api').spec.ingress[0].from).toEqual(from);
    expect(find(custom, 'NetworkPolicy', 'fc-flow-controller-worker').spec.ingress[0].from).toEqual([
      { namespaceSelector: { matchLabels: { team: 'obs' } } },
    ]);
  });

  it('defaults the image tag to the appVersion, which is the package version', () => {
    const chart = parse(readFileSync(path.join(CHART, 'Chart.yaml'), 'utf8')) as { appVersion: string };
    const pkg = JSON.parse(readFileSync(path.join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    expect(chart.appVersion).toBe(pkg.version);
    expect(containerOf(find(defaults, 'Deployment', 'fc-flow-controller-api').spec.template).image).toBe(`flow-controller:${pkg.version}`);
  });
});
