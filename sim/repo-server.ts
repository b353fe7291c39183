// The simulator's manifest generation (Argo CD's repo-server): an Application's sources at their revisions become
// the desired workloads. A Git path holding a `Chart.yaml`, or a Helm-repository chart (`chart:` + version; the
// simulator serves it from a directory registered with `registerChart`, no Helm repository is contacted), is
// rendered by real Helm (integrations/helm.ts) with the source's `helm.valueFiles`: relative to the path as Argo
// CD resolves them (refused when they leave the repository), or `$<ref>/<file>` from the `ref` source of a
// multi-source app, at that source's revision. Any other path falls back to the chart convention of sim/chart.ts
// over its value files. A multi-source app's `ref`-only sources render nothing; the others' workloads are
// concatenated, and their errors name the source (`failed to generate manifest for source 2 of 2: …`).
// Renders are cached per source, revision, value files (with the revisions they were read at), release and
// namespace, like the repo-server's manifest cache, so reconciles of the same revision do not spawn Helm again;
// failures are not cached.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HelmError, type Manifest, renderChart } from '../integrations/helm.js';
import type { SourceSpec } from './argo-app.js';
import { rendersManifests, targetOf } from './argo-sources.js';
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
import { type GitSource, RevisionError } from './git-source.js';

const CACHE_LIMIT = 256;
const SEMVER = /^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/** One value file: a repository-relative path at a commit (of the source's own repository or of a `ref` source). */
interface ValueFile {
  repoURL: string;
  sha: string;
  file: string;
  /** As written in `helm.valueFiles` (for messages). */
  raw: string;
}

/** One source to render: a Git path at a commit, or a registered Helm-repository chart at a version. */
interface RenderJob {
  git?: { repoURL: string; sha: string; root: string };
  chart?: { dir: string; label: string };
  valueFiles: ValueFile[];
  /** Helm release name: the Application's name, as Argo CD uses it. */
  app: string;
  namespace: string;
}

/** Argo's git.NormalizeGitURL, enough for the simulator's repositories: same repository, same string. */
export function normalizeRepoURL(url: string): string {
  return url
    .trim()
    .toLowerCase()
    .replace(/\/+$/, '')
    .replace(/\.git$/, '');
}

export class RepoServer {
  private readonly cache = new Map<string, Promise<DesiredWorkload[]>>();
  private readonly charts = new Map<string, string>();
  /** Helm runs so far (for tests: a cached render does not run Helm). */
  helmRuns = 0;

  constructor(private readonly git: GitSource) {}

  /** Serves `dir` (a chart directory) as version `version` of `chart` in the Helm repository `repoURL`. */
  registerChart(c: { repoURL: string; chart: string; version: string; dir: string }): void {
    this.charts.set(JSON.stringify([normalizeRepoURL(c.repoURL), c.chart, c.version.replace(/^v/, '')]), path.resolve(c.dir));
  }

  /**
   * The revision a source syncs to: `requested`, else its targetRevision, as a commit SHA (Git, after fetching)
   * or a chart version (Helm: an exact version is taken as it is, as argo-cd does; constraints are not modelled).
   */
  async resolve(source: SourceSpec, requested = ''): Promise<string> {
    const revision = requested || targetOf(source);
    if (!source.chart) return this.git.resolve(source.repoURL, revision);
    if (SEMVER.test(revision)) return revision;
    throw new RevisionError(
      `rpc error: code = Unknown desc = chart ${source.chart}: the simulator resolves exact chart versions only, not "${revision}"`,
    );
  }

  /** The desired workloads of an app's sources at `revisions` (resolved, one per source); RenderError on failure. */
  async render(app: { name: string; namespace: string; sources: SourceSpec[]; multi: boolean }, revisions: string[]) {
    const out: DesiredWorkload[] = [];
    for (const [i, source] of app.sources.entries()) {
      if (!rendersManifests(source, app.multi)) continue;
      try {
        out.push(...(await this.renderCached(this.job(app, i, revisions))));
      } catch (err) {
        if (!(err instanceof RenderError) || !app.multi) throw err;
        throw new RenderError(`failed to generate manifest for source ${i + 1} of ${app.sources.length}: ${err.message}`, { cause: err });
      }
    }
    return out;
  }

  private job(
    app: { name: string; namespace: string; sources: SourceSpec[]; multi: boolean },
    index: number,
    revisions: string[],
  ): RenderJob {
    const source = app.sources[index] as SourceSpec;
    const revision = revisions[index] ?? '';
    const root = path.posix
      .normalize(source.path ?? '.')
      .replace(/^\.\/|^\/|\/$/g, '')
      .replace(/^\.$/, '');
    const valueFiles = (source.helm?.valueFiles ?? []).map((raw): ValueFile => {
      if (app.multi && raw.startsWith('$')) return this.refFile(app, source, revision, revisions, raw);
      if (source.chart) {
        throw new RenderError(`values file ${raw}: the simulator reads a chart source's value files only from a ref source ($<ref>/…)`);
      }
      const file = path.posix.normalize(path.posix.join(root, raw));
      if (file === '..' || file.startsWith('../')) throw new RenderError(`values file ${raw} resolved to outside repository root`);
      return { repoURL: source.repoURL, sha: revision, file, raw };
    });
    const base = { valueFiles, app: app.name, namespace: app.namespace };
    if (!source.chart) return { ...base, git: { repoURL: source.repoURL, sha: revision, root } };
    const dir = this.charts.get(JSON.stringify([normalizeRepoURL(source.repoURL), source.chart, revision.replace(/^v/, '')]));
    if (!dir) {
      throw new RenderError(
        `rpc error: code = Unknown desc = error fetching chart: failed to fetch chart: chart "${source.chart}" version "${revision}" not found in ${source.repoURL} repository`,
      );
    }
    return { ...base, chart: { dir, label: `${source.chart}-${revision}` } };
  }

  /** `$<ref>/<file>`: the file in the `ref` source's repository at that source's revision (argo-cd repo-server rules). */
  private refFile(app: { sources: SourceSpec[] }, source: SourceSpec, revision: string, revisions: string[], raw: string): ValueFile {
    const refVar = raw.split('/')[0] ?? raw;
    const at = app.sources.findIndex((s) => s.ref !== undefined && s.ref !== '' && `$${s.ref}` === refVar);
    const ref = app.sources[at];
    const fail = (desc: string) => new RenderError(`rpc error: code = Unknown desc = ${desc}`);
    if (!ref) {
      const keys = app.sources.flatMap((s) => (s.ref ? [`$${s.ref}`] : []));
      if (keys.length === 0) throw fail(`source referenced "${refVar}", but no source has a 'ref' field defined`);
      throw fail(`source referenced "${refVar}", which is not one of the available sources (${keys.join(', ')})`);
    }
    if (ref.chart) throw fail("source has a 'chart' field defined, but Helm charts are not yet not supported for 'ref' sources");
    const refSha = revisions[at] ?? '';
    if (!source.chart && normalizeRepoURL(source.repoURL) === normalizeRepoURL(ref.repoURL) && refSha !== revision) {
      throw fail(
        `cannot reference a different revision of the same repository (${refVar} references "${targetOf(ref)}" which resolves to "${refSha}" while the application references "${targetOf(source)}" which resolves to "${revision}")`,
      );
    }
    const file = path.posix.normalize(raw.slice(refVar.length).replace(/^\/+/, ''));
    if (file === '..' || file.startsWith('../') || file === '.')
      throw new RenderError(`values file ${raw} resolved to outside repository root`);
    return { repoURL: ref.repoURL, sha: refSha, file, raw };
  }

  private renderCached(job: RenderJob): Promise<DesiredWorkload[]> {
    const key = JSON.stringify(job);
    const hit = this.cache.get(key);
    if (hit) return hit;
    const run = this.generate(job);
    this.cache.set(key, run);
    run.catch(() => this.cache.delete(key));
    if (this.cache.size > CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value as string);
    return run;
  }

  private async generate(job: RenderJob): Promise<DesiredWorkload[]> {
    const files: { name: string; text: string }[] = [];
    for (const vf of job.valueFiles) {
      const text = await this.git.readFile(vf.repoURL, vf.sha, vf.file);
      if (text === undefined) throw new RenderError(`Error: open ${vf.file}: no such file or directory`);
      files.push({ name: vf.file, text });
    }
    const git = job.git;
    if (git && (await this.git.readFile(git.repoURL, git.sha, path.posix.join(git.root, 'Chart.yaml'))) === undefined) {
      return renderWorkloads(parseValues(files), { app: job.app, namespace: job.namespace });
    }
    return this.helm(job);
  }

  private async helm(job: RenderJob): Promise<DesiredWorkload[]> {
    const work = await mkdtemp(path.join(tmpdir(), 'fc-sim-helm-'));
    // One checkout per repository and commit: the chart's own (with its local value files) and each ref's.
    const checkouts = new Map<string, { dir: string; repoURL: string; sha: string; paths: string[] }>();
    const checkout = (repoURL: string, sha: string) => {
      const key = `${repoURL}@${sha}`;
      let c = checkouts.get(key);
      if (!c) {
        c = { dir: path.join(work, `src-${checkouts.size}`), repoURL, sha, paths: [] };
        checkouts.set(key, c);
      }
      return c;
    };
    const git = job.git;
    const chartDir = git ? path.join(checkout(git.repoURL, git.sha).dir, git.root) : (job.chart?.dir ?? '');
    if (git) checkout(git.repoURL, git.sha).paths.push(git.root || '.');
    const valueFiles = job.valueFiles.map((vf) => {
      const c = checkout(vf.repoURL, vf.sha);
      c.paths.push(vf.file);
      return path.join(c.dir, vf.file);
    });
    try {
      for (const c of checkouts.values()) await this.git.exportTree(c.repoURL, c.sha, c.paths, c.dir);
      this.helmRuns += 1;
      const manifests = await renderChart({ chartDir, valueFiles, releaseName: job.app, namespace: job.namespace });
      return manifests.flatMap((m) => toDesired(m, job.app, job.namespace));
    } catch (err) {
      if (!(err instanceof HelmError)) throw err;
      const args = job.valueFiles
        .map((f) => ` --values ${f.raw.startsWith('$') ? f.raw : path.posix.relative(git?.root ?? '', f.file)}`)
        .join('');
      let message = err.message;
      for (const c of checkouts.values()) message = message.split(`${c.dir}/`).join('');
      const where = job.chart ? job.chart.label : '.';
      throw new RenderError(
        `rpc error: code = Unknown desc = \`helm template ${where} --name-template ${job.app} --namespace ${job.namespace}${args} --include-crds\` failed exit status 1: Error: ${message}`,
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
