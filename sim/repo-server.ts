// The simulator's manifest generation (Argo CD's repo-server): an Application's source path at a commit becomes
// the desired workloads. A path holding a `Chart.yaml` is rendered by real Helm (integrations/helm.ts), with the
// Application's `helm.valueFiles` resolved relative to the path as Argo CD resolves them (and refused when they
// leave the repository); any other path falls back to the chart convention of sim/chart.ts over its value files.
// Renders are cached per (repo, commit SHA, path, value files, release, namespace) like the repo-server's manifest
// cache, so reconciles of the same revision do not spawn Helm again; failures are not cached.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HelmError, type Manifest, renderChart } from '../integrations/helm.js';
import {
  ANNOTATION_TRACKING_ID,
  type DesiredWorkload,
  LABEL_INSTANCE,
  LABEL_NAME,
  parseValues,
  RenderError,
  renderWorkloads,
  trackingId,
  WorkloadKindValues,
} from './chart.js';
import type { GitSource } from './git-source.js';

const CACHE_LIMIT = 256;

export interface SourceRef {
  repoURL: string;
  path: string;
  valueFiles: string[];
  /** Helm release name: the Application's name, as Argo CD uses it. */
  app: string;
  namespace: string;
}

export class RepoServer {
  private readonly cache = new Map<string, Promise<DesiredWorkload[]>>();
  /** Helm runs so far (for tests: a cached render does not run Helm). */
  helmRuns = 0;

  constructor(private readonly git: GitSource) {}

  /** The desired workloads of `source` at `sha` (already fetched); RenderError when generation fails. */
  render(source: SourceRef, sha: string): Promise<DesiredWorkload[]> {
    const key = JSON.stringify([source.repoURL, sha, source.path, source.valueFiles, source.app, source.namespace]);
    const hit = this.cache.get(key);
    if (hit) return hit;
    const job = this.generate(source, sha);
    this.cache.set(key, job);
    job.catch(() => this.cache.delete(key));
    if (this.cache.size > CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value as string);
    return job;
  }

  private async generate(source: SourceRef, sha: string): Promise<DesiredWorkload[]> {
    const root = path.posix.normalize(source.path).replace(/^\.\/|^\/|\/$/g, '');
    const files: { name: string; text: string }[] = [];
    for (const vf of source.valueFiles) {
      const file = path.posix.normalize(path.posix.join(root, vf));
      if (file === '..' || file.startsWith('../')) throw new RenderError(`values file ${vf} resolved to outside repository root`);
      const text = await this.git.readFile(source.repoURL, sha, file);
      if (text === undefined) throw new RenderError(`Error: open ${file}: no such file or directory`);
      files.push({ name: file, text });
    }
    if ((await this.git.readFile(source.repoURL, sha, path.posix.join(root, 'Chart.yaml'))) === undefined) {
      return renderWorkloads(parseValues(files), { app: source.app, namespace: source.namespace });
    }
    return this.helm(source, sha, root, files);
  }

  private async helm(source: SourceRef, sha: string, root: string, files: { name: string }[]): Promise<DesiredWorkload[]> {
    const work = await mkdtemp(path.join(tmpdir(), 'fc-sim-helm-'));
    const checkout = path.join(work, 'repo');
    try {
      await this.git.exportTree(source.repoURL, sha, [root, ...files.map((f) => f.name)], checkout);
      this.helmRuns += 1;
      const manifests = await renderChart({
        chartDir: path.join(checkout, root),
        valueFiles: files.map((f) => path.join(checkout, f.name)),
        releaseName: source.app,
        namespace: source.namespace,
      });
      return manifests.flatMap((m) => toDesired(m, source.app, source.namespace));
    } catch (err) {
      if (!(err instanceof HelmError)) throw err;
      const args = files.map((f) => ` --values ${path.posix.relative(root, f.name)}`).join('');
      const message = err.message.split(`${checkout}/`).join('');
      throw new RenderError(
        `rpc error: code = Unknown desc = \`helm template . --name-template ${source.app} --namespace ${source.namespace}${args} --include-crds\` failed exit status 1: Error: ${message}`,
        { cause: err },
      );
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }
}

/**
 * A rendered object as the workload the simulator runs; Argo CD adds the tracking id when it applies it. Objects
 * of other kinds are not modelled by the simulator and are left out.
 */
function toDesired(m: Manifest, app: string, namespace: string): DesiredWorkload[] {
  const kind = WorkloadKindValues.safeParse(m.object.kind);
  if (!kind.success) return [];
  const o = m.object as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const ns = typeof o.metadata.namespace === 'string' ? (o.metadata.namespace as string) : namespace;
  const name = m.object.metadata.name;
  const pod = kind.data === 'CronJob' ? o.spec?.jobTemplate?.spec?.template : o.spec?.template;
  const containers = (list: { name: string; image: string }[] | undefined) => (list ?? []).map((c) => ({ name: c.name, image: c.image }));
  const labels = (o.metadata.labels ?? {}) as Record<string, string>;
  const podLabels = (pod?.metadata?.labels ?? {}) as Record<string, string>;
  return [
    {
      kind: kind.data,
      name,
      namespace: ns,
      replicas: kind.data === 'DaemonSet' ? 1 : kind.data === 'CronJob' ? 0 : ((o.spec?.replicas as number | undefined) ?? 1),
      schedule: kind.data === 'CronJob' ? (o.spec?.schedule as string) : undefined,
      labels,
      annotations: { ...(o.metadata.annotations ?? {}), [ANNOTATION_TRACKING_ID]: trackingId(app, kind.data, ns, name) },
      selector:
        kind.data === 'CronJob'
          ? { [LABEL_INSTANCE]: podLabels[LABEL_INSTANCE] ?? app, [LABEL_NAME]: name }
          : ((o.spec?.selector?.matchLabels ?? {}) as Record<string, string>),
      template: {
        labels: podLabels,
        annotations: (pod?.metadata?.annotations ?? {}) as Record<string, string>,
        containers: containers(pod?.spec?.containers),
        initContainers: containers(pod?.spec?.initContainers),
      },
    },
  ];
}
