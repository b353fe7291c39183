// The simulator's manifest generation (Argo CD's repo-server): an Application's source path at a commit becomes
// the desired workloads. The source type is Argo's (sim/source-type.ts): explicit when the source names one,
// otherwise discovered from the files in the path — a kustomization file wins over a Chart.yaml, neither is a
// plain-manifest directory.
// - Helm: a path holding a `Chart.yaml` is rendered by real Helm (integrations/helm.ts), with the Application's
//   `helm.valueFiles` resolved relative to the path as Argo CD resolves them (and refused when they leave the
//   repository); an explicitly Helm source without a chart falls back to the chart convention of sim/chart.ts.
// - Kustomize: `kustomize build <path>` by real kustomize (integrations/kustomize.ts) over a checkout of the whole
//   commit (overlays reach `../../base`).
// - Directory: the *.yaml, *.yml and *.json files of the path as they are (sim/manifest-objects.ts).
// Renders are cached per (repo, commit SHA, source, release, namespace) like the repo-server's manifest cache, so
// reconciles of the same revision do not spawn Helm or kustomize again; failures are not cached.
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HelmError, renderChart } from '../integrations/helm.js';
import { KustomizeError, kustomizeBuild } from '../integrations/kustomize.js';
import { type DesiredWorkload, parseValues, RenderError, renderWorkloads } from './chart.js';
import type { GitSource } from './git-source.js';
import { desiredOf, MANIFEST_FILE, objectsOfFile } from './manifest-objects.js';
import { type SourceType, sourceTypeOf, SourceTypeError } from './source-type.js';

const CACHE_LIMIT = 256;
/** How Argo CD's error messages name the checkout (argo-cd reposerver getRepoSanitizerRegex). */
const CACHED_SOURCE = '<path to cached source>';

export interface SourceRef {
  repoURL: string;
  path: string;
  /** `helm.valueFiles`; non-empty makes the source explicitly Helm. */
  valueFiles: string[];
  /** `directory`: explicitly plain manifests. */
  directory?: { recurse: boolean } | undefined;
  /** Helm release name: the Application's name, as Argo CD uses it. */
  app: string;
  namespace: string;
}

export interface RenderedSource {
  sourceType: SourceType;
  workloads: DesiredWorkload[];
}

export class RepoServer {
  private readonly cache = new Map<string, Promise<RenderedSource>>();
  /** Helm runs so far (for tests: a cached render does not run Helm). */
  helmRuns = 0;
  /** kustomize runs so far. */
  kustomizeRuns = 0;

  constructor(private readonly git: GitSource) {}

  /** The desired workloads of `source` at `sha` (already fetched); RenderError when generation fails. */
  render(source: SourceRef, sha: string): Promise<RenderedSource> {
    const key = JSON.stringify([
      source.repoURL,
      sha,
      source.path,
      source.valueFiles,
      source.directory ?? null,
      source.app,
      source.namespace,
    ]);
    const hit = this.cache.get(key);
    if (hit) return hit;
    const job = this.generate(source, sha);
    this.cache.set(key, job);
    job.catch(() => this.cache.delete(key));
    if (this.cache.size > CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value as string);
    return job;
  }

  private async generate(source: SourceRef, sha: string): Promise<RenderedSource> {
    const root = path.posix
      .normalize(source.path)
      .replace(/^\.\/|^\/|\/$/g, '')
      .replace(/^\.$/, '');
    if (root === '..' || root.startsWith('../'))
      throw new RenderError(`rpc error: code = Unknown desc = ${source.path}: app path outside root`);
    const inPath = await this.git.listFiles(source.repoURL, sha, root);
    if (inPath === undefined) throw new RenderError(`rpc error: code = Unknown desc = ${source.path}: app path does not exist`);
    let sourceType: SourceType;
    try {
      const explicit = { helm: source.valueFiles.length > 0, directory: source.directory !== undefined };
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
        return { sourceType, workloads: await this.helmSource(source, sha, root, inPath) };
      case 'Kustomize':
        return { sourceType, workloads: await this.kustomize(source, sha, root) };
      case 'Directory':
        return { sourceType, workloads: await this.directory(source, sha, root) };
      default: {
        const never: never = sourceType;
        throw new Error(`unknown source type ${String(never)}`);
      }
    }
  }

  private async helmSource(source: SourceRef, sha: string, root: string, inPath: string[]): Promise<DesiredWorkload[]> {
    const files: { name: string; text: string }[] = [];
    for (const vf of source.valueFiles) {
      const file = path.posix.normalize(path.posix.join(root, vf));
      if (file === '..' || file.startsWith('../')) throw new RenderError(`values file ${vf} resolved to outside repository root`);
      const text = await this.git.readFile(source.repoURL, sha, file);
      if (text === undefined) throw new RenderError(`Error: open ${file}: no such file or directory`);
      files.push({ name: file, text });
    }
    if (!inPath.some((f) => path.posix.basename(f) === 'Chart.yaml') && source.valueFiles.length > 0) {
      return renderWorkloads(parseValues(files), { app: source.app, namespace: source.namespace });
    }
    return this.helm(source, sha, root, files);
  }

  /** A fresh temporary directory by its real path, so kustomize's resolved paths carry the same prefix. */
  private async workDir(prefix: string): Promise<string> {
    return realpath(await mkdtemp(path.join(tmpdir(), prefix)));
  }

  private async helm(source: SourceRef, sha: string, root: string, files: { name: string }[]): Promise<DesiredWorkload[]> {
    const work = await this.workDir('fc-sim-helm-');
    const checkout = path.join(work, 'repo');
    try {
      await this.git.exportTree(source.repoURL, sha, [root === '' ? '.' : root, ...files.map((f) => f.name)], checkout);
      this.helmRuns += 1;
      const manifests = await renderChart({
        chartDir: path.join(checkout, root),
        valueFiles: files.map((f) => path.join(checkout, f.name)),
        releaseName: source.app,
        namespace: source.namespace,
      });
      return desiredOf(
        manifests.map((m) => m.object),
        source.app,
        source.namespace,
      );
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

  private async kustomize(source: SourceRef, sha: string, root: string): Promise<DesiredWorkload[]> {
    const work = await this.workDir('fc-sim-kustomize-');
    const checkout = path.join(work, 'repo');
    const shown = root === '' ? CACHED_SOURCE : `${CACHED_SOURCE}/${root}`;
    try {
      await this.git.exportTree(source.repoURL, sha, [], checkout);
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

  private async directory(source: SourceRef, sha: string, root: string): Promise<DesiredWorkload[]> {
    const files = (await this.git.listFiles(source.repoURL, sha, root, source.directory?.recurse ?? false)) ?? [];
    const objects = [];
    for (const file of files.filter((f) => MANIFEST_FILE.test(f))) {
      const text = await this.git.readFile(source.repoURL, sha, file);
      if (text !== undefined) objects.push(...objectsOfFile({ name: file, text }));
    }
    return desiredOf(objects, source.app, source.namespace);
  }
}
