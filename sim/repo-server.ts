// The simulator's manifest generation (Argo CD's repo-server): an Application's sources at their revisions become
// the desired workloads. Each source is rendered on its own (sim/repo-sources.ts: a Git path at a commit, or a
// Helm-repository chart at a version, with the `$<ref>` sources its value files read); a multi-source app's
// `ref`-only sources render nothing, the others' workloads are concatenated, and their errors name the source
// (`failed to generate manifest for source 2 of 2: …`). A Git source's type is Argo's (sim/source-type.ts):
// explicit when the source names one, otherwise discovered from the files in the path — a kustomization file wins
// over a Chart.yaml, neither is a plain-manifest directory. A Helm-repository chart is Helm.
// - Helm (helmSource): a chart — the path holding a `Chart.yaml`, or the registered chart — is rendered by real
//   Helm (integrations/helm.ts) with the source's `helm.valueFiles`: relative to the path as Argo CD resolves them
//   (refused when they leave the repository), or `$<ref>/<file>` from the `ref` source's repository at its
//   revision; an explicitly Helm Git source without a chart falls back to the chart convention of sim/chart.ts.
// - Kustomize: `kustomize build <path>` by real kustomize (integrations/kustomize.ts) over a checkout of the whole
//   commit (overlays reach `../../base`).
// - Directory: the *.yaml, *.yml and *.json files of the path as they are (sim/manifest-objects.ts).
// Renders are cached per source (revision, value files with the revisions of the refs they read, release,
// namespace) like the repo-server's manifest cache, so reconciles of the same revision do not spawn Helm or
// kustomize again; failures are not cached.
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HelmError, renderChart } from '../integrations/helm.js';
import { KustomizeError, kustomizeBuild } from '../integrations/kustomize.js';
import type { SourceSpec } from './argo-app.js';
import { rendersManifests, targetOf } from './argo-sources.js';
import { type DesiredWorkload, parseValues, RenderError, renderWorkloads } from './chart.js';
import type { GitSource } from './git-source.js';
import { desiredOf, MANIFEST_FILE, objectsOfFile } from './manifest-objects.js';
import { ChartRegistry, type SourceRef, sourceRefOf } from './repo-sources.js';
import { type SourceType, sourceTypeOf, SourceTypeError } from './source-type.js';

export { normalizeRepoURL, type SourceRef } from './repo-sources.js';

const CACHE_LIMIT = 256;
/** How Argo CD's error messages name the checkout (argo-cd reposerver getRepoSanitizerRegex). */
const CACHED_SOURCE = '<path to cached source>';

export interface RenderedSource {
  sourceType: SourceType;
  workloads: DesiredWorkload[];
}

/** One value file: a repository-relative path at a commit (of the source's own repository or of a `ref` source). */
interface ValueFile {
  repoURL: string;
  sha: string;
  file: string;
  /** As written in `helm.valueFiles` (for messages). */
  raw: string;
}

export class RepoServer {
  private readonly cache = new Map<string, Promise<RenderedSource>>();
  private readonly charts = new ChartRegistry();
  /** Helm runs so far (for tests: a cached render does not run Helm). */
  helmRuns = 0;
  /** kustomize runs so far. */
  kustomizeRuns = 0;

  constructor(private readonly git: GitSource) {}

  /** Serves `dir` (a chart directory) as version `version` of `chart` in the Helm repository `repoURL`. */
  registerChart(c: { repoURL: string; chart: string; version: string; dir: string }): void {
    this.charts.register(c);
  }

  /**
   * The revision a source syncs to: `requested`, else its targetRevision, as a commit SHA (Git, after fetching)
   * or a chart version (Helm).
   */
  async resolve(source: SourceSpec, requested = ''): Promise<string> {
    if (source.chart) return this.charts.version(source, requested);
    return this.git.resolve(source.repoURL, requested || targetOf(source));
  }

  /**
   * The desired workloads of an app's sources at `revisions` (resolved, one per source), and each source's type
   * ('' for a ref-only source); RenderError when generation fails.
   */
  async render(
    app: { name: string; namespace: string; sources: SourceSpec[]; multi: boolean },
    revisions: string[],
  ): Promise<{ workloads: DesiredWorkload[]; sourceTypes: Array<SourceType | ''> }> {
    const workloads: DesiredWorkload[] = [];
    const sourceTypes: Array<SourceType | ''> = [];
    for (const [i, source] of app.sources.entries()) {
      if (!rendersManifests(source, app.multi)) {
        sourceTypes.push('');
        continue;
      }
      try {
        const rendered = await this.renderCached(sourceRefOf(app, i, revisions, this.charts));
        workloads.push(...rendered.workloads);
        sourceTypes.push(rendered.sourceType);
      } catch (err) {
        if (!(err instanceof RenderError) || !app.multi) throw err;
        throw new RenderError(`failed to generate manifest for source ${i + 1} of ${app.sources.length}: ${err.message}`, { cause: err });
      }
    }
    return { workloads, sourceTypes };
  }

  private renderCached(source: SourceRef): Promise<RenderedSource> {
    const key = JSON.stringify(source);
    const hit = this.cache.get(key);
    if (hit) return hit;
    const job = this.generate(source);
    this.cache.set(key, job);
    job.catch(() => this.cache.delete(key));
    if (this.cache.size > CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value as string);
    return job;
  }

  private async generate(source: SourceRef): Promise<RenderedSource> {
    if (source.chart) return { sourceType: 'Helm', workloads: await this.helmSource(source, '', []) };
    const root = path.posix
      .normalize(source.path)
      .replace(/^\.\/|^\/|\/$/g, '')
      .replace(/^\.$/, '');
    if (root === '..' || root.startsWith('../'))
      throw new RenderError(`rpc error: code = Unknown desc = ${source.path}: app path outside root`);
    const inPath = await this.git.listFiles(source.repoURL, source.sha, root);
    if (inPath === undefined) throw new RenderError(`rpc error: code = Unknown desc = ${source.path}: app path does not exist`);
    let sourceType: SourceType;
    try {
      const explicit = { helm: source.helm, directory: source.directory !== undefined };
      sourceType = sourceTypeOf(
        explicit,
        inPath.map((f) => path.posix.basename(f)),
      );
    } catch (err) {
      if (err instanceof SourceTypeError) throw new RenderError(`error getting app source type: ${err.message}`, { cause: err });
      throw err;
    }
    switch (sourceType) {
      case 'Helm':
        return { sourceType, workloads: await this.helmSource(source, root, inPath) };
      case 'Kustomize':
        return { sourceType, workloads: await this.kustomize(source, root) };
      case 'Directory':
        return { sourceType, workloads: await this.directory(source, root) };
      default: {
        const never: never = sourceType;
        throw new Error(`unknown source type ${String(never)}`);
      }
    }
  }

  /** `helm.valueFiles` as files of a repository at a commit: relative to `root`, or in a `$<ref>` source's repository. */
  private valueFiles(source: SourceRef, root: string): ValueFile[] {
    return source.valueFiles.map((raw): ValueFile => {
      const refVar = raw.split('/')[0] ?? raw;
      const ref = raw.startsWith('$') ? source.refs[refVar] : undefined;
      if (ref) {
        const file = path.posix.normalize(raw.slice(refVar.length).replace(/^\/+/, ''));
        if (file === '..' || file.startsWith('../') || file === '.')
          throw new RenderError(`values file ${raw} resolved to outside repository root`);
        return { ...ref, file, raw };
      }
      if (source.chart) {
        throw new RenderError(`values file ${raw}: the simulator reads a chart source's value files only from a ref source ($<ref>/…)`);
      }
      const file = path.posix.normalize(path.posix.join(root, raw));
      if (file === '..' || file.startsWith('../')) throw new RenderError(`values file ${raw} resolved to outside repository root`);
      return { repoURL: source.repoURL, sha: source.sha, file, raw };
    });
  }

  private async helmSource(source: SourceRef, root: string, inPath: string[]): Promise<DesiredWorkload[]> {
    const valueFiles = this.valueFiles(source, root);
    const files: { name: string; text: string }[] = [];
    for (const vf of valueFiles) {
      const text = await this.git.readFile(vf.repoURL, vf.sha, vf.file);
      if (text === undefined) throw new RenderError(`Error: open ${vf.file}: no such file or directory`);
      files.push({ name: vf.file, text });
    }
    if (!source.chart && !inPath.some((f) => path.posix.basename(f) === 'Chart.yaml') && valueFiles.length > 0) {
      return renderWorkloads(parseValues(files), { app: source.app, namespace: source.namespace });
    }
    return this.helm(source, root, valueFiles);
  }

  /** A fresh temporary directory by its real path, so kustomize's resolved paths carry the same prefix. */
  private async workDir(prefix: string): Promise<string> {
    return realpath(await mkdtemp(path.join(tmpdir(), prefix)));
  }

  private async helm(source: SourceRef, root: string, valueFiles: ValueFile[]): Promise<DesiredWorkload[]> {
    const work = await this.workDir('fc-sim-helm-');
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
    const chartDir = source.chart ? source.chart.dir : path.join(checkout(source.repoURL, source.sha).dir, root);
    if (!source.chart) checkout(source.repoURL, source.sha).paths.push(root === '' ? '.' : root);
    const valuePaths = valueFiles.map((vf) => {
      const c = checkout(vf.repoURL, vf.sha);
      c.paths.push(vf.file);
      return path.join(c.dir, vf.file);
    });
    try {
      for (const c of checkouts.values()) await this.git.exportTree(c.repoURL, c.sha, c.paths, c.dir);
      this.helmRuns += 1;
      const manifests = await renderChart({ chartDir, valueFiles: valuePaths, releaseName: source.app, namespace: source.namespace });
      return desiredOf(
        manifests.map((m) => m.object),
        source.app,
        source.namespace,
      );
    } catch (err) {
      if (!(err instanceof HelmError)) throw err;
      const args = valueFiles.map((f) => ` --values ${f.raw.startsWith('$') ? f.raw : path.posix.relative(root, f.file)}`).join('');
      let message = err.message;
      for (const c of checkouts.values()) message = message.split(`${c.dir}/`).join('');
      const where = source.chart ? source.chart.label : '.';
      throw new RenderError(
        `rpc error: code = Unknown desc = \`helm template ${where} --name-template ${source.app} --namespace ${source.namespace}${args} --include-crds\` failed exit status 1: Error: ${message}`,
        { cause: err },
      );
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  private async kustomize(source: SourceRef, root: string): Promise<DesiredWorkload[]> {
    const work = await this.workDir('fc-sim-kustomize-');
    const checkout = path.join(work, 'repo');
    const shown = root === '' ? CACHED_SOURCE : `${CACHED_SOURCE}/${root}`;
    try {
      await this.git.exportTree(source.repoURL, source.sha, [], checkout);
      this.kustomizeRuns += 1;
      const objects = await kustomizeBuild({ dir: path.join(checkout, root), cwd: checkout, pathAliases: { [checkout]: CACHED_SOURCE } });
      return desiredOf(objects, source.app, source.namespace);
    } catch (err) {
      if (!(err instanceof KustomizeError)) throw err;
      const status = err.code === 'build' ? `exit status ${err.exitCode ?? 1}` : err.code;
      throw new RenderError(`rpc error: code = Unknown desc = \`kustomize build ${shown}\` failed ${status}: ${err.message}`, {
        cause: err,
      });
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  private async directory(source: SourceRef, root: string): Promise<DesiredWorkload[]> {
    const files = (await this.git.listFiles(source.repoURL, source.sha, root, source.directory?.recurse ?? false)) ?? [];
    const objects = [];
    for (const file of files.filter((f) => MANIFEST_FILE.test(f))) {
      const text = await this.git.readFile(source.repoURL, source.sha, file);
      if (text !== undefined) objects.push(...objectsOfFile({ name: file, text }));
    }
    return desiredOf(objects, source.app, source.namespace);
  }
}
