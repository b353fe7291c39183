// What the simulator's repo-server (sim/repo-server.ts) renders for one source of an Application at its resolved
// revision: a Git path at a commit, or a Helm-repository chart at a version (served from a directory registered
// with the simulator; no Helm repository is contacted), with the `$<ref>` sources its `helm.valueFiles` read —
// checked as argo-cd's repo-server checks a multi-source request's RefSources before it generates anything
// (reposerver/repository GenerateManifest): the ref must exist, must not be a chart, and must not read another
// commit of the source's own repository.
import path from 'node:path';
import type { SourceSpec } from './argo-app.js';
import { targetOf } from './argo-sources.js';
import { RenderError } from './chart.js';
import { RevisionError } from './git-source.js';

const SEMVER = /^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/** One source to render. */
export interface SourceRef {
  /** The Git repository (a `chart` source: the Helm repository) and the resolved commit SHA (chart: version). */
  repoURL: string;
  sha: string;
  /** The source's path as written (Git sources). */
  path: string;
  /** A Helm-repository chart: the registered chart directory and how Argo's messages name it (`<chart>-<version>`). */
  chart?: { dir: string; label: string };
  /** `helm.valueFiles` as written: relative to the path, or `$<ref>/<file>` (multi-source). */
  valueFiles: string[];
  /** Where each `$<ref>` used by `valueFiles` reads: that ref source's repository at its resolved revision. */
  refs: Record<string, { repoURL: string; sha: string }>;
  /** `helm` is set: explicitly Helm. */
  helm: boolean;
  /** `directory` is set: explicitly plain manifests. */
  directory: { recurse: boolean } | undefined;
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

/** The Helm-repository charts the simulator serves, by repository, chart and version. */
export class ChartRegistry {
  private readonly charts = new Map<string, string>();

  private key(repoURL: string, chart: string, version: string): string {
    return JSON.stringify([normalizeRepoURL(repoURL), chart, version.replace(/^v/, '')]);
  }

  /** Serves `dir` (a chart directory) as version `version` of `chart` in the Helm repository `repoURL`. */
  register(c: { repoURL: string; chart: string; version: string; dir: string }): void {
    this.charts.set(this.key(c.repoURL, c.chart, c.version), path.resolve(c.dir));
  }

  /**
   * A chart source's revision: `requested`, else its targetRevision (an exact version is taken as it is, as
   * argo-cd does; constraints are not modelled).
   */
  version(source: SourceSpec, requested: string): string {
    const revision = requested || targetOf(source);
    if (SEMVER.test(revision)) return revision;
    throw new RevisionError(
      `rpc error: code = Unknown desc = chart ${source.chart ?? ''}: the simulator resolves exact chart versions only, not "${revision}"`,
    );
  }

  dir(source: SourceSpec, version: string): string {
    const dir = this.charts.get(this.key(source.repoURL, source.chart ?? '', version));
    if (dir) return dir;
    throw new RenderError(
      `rpc error: code = Unknown desc = error fetching chart: failed to fetch chart: chart "${source.chart ?? ''}" version "${version}" not found in ${source.repoURL} repository`,
    );
  }
}

/** The source at `index` of an app at `revisions` (one per source, resolved); RenderError for a bad `$<ref>`. */
export function sourceRefOf(
  app: { name: string; namespace: string; sources: SourceSpec[]; multi: boolean },
  index: number,
  revisions: string[],
  charts: ChartRegistry,
): SourceRef {
  const source = app.sources[index] as SourceSpec;
  const sha = revisions[index] ?? '';
  const valueFiles = source.helm?.valueFiles ?? [];
  const refs: SourceRef['refs'] = {};
  for (const raw of valueFiles.filter((f) => app.multi && f.startsWith('$'))) {
    const refVar = raw.split('/')[0] ?? raw;
    refs[refVar] = refSource(app.sources, revisions, source, sha, refVar);
  }
  return {
    repoURL: source.repoURL,
    sha,
    path: source.path ?? '',
    ...(source.chart ? { chart: { dir: charts.dir(source, sha), label: `${source.chart}-${sha}` } } : {}),
    valueFiles,
    refs,
    helm: source.helm !== undefined,
    directory: source.directory ? { recurse: source.directory.recurse ?? false } : undefined,
    app: app.name,
    namespace: app.namespace,
  };
}

/** `$<ref>`: the `ref` source's repository at that source's revision (argo-cd repo-server rules). */
function refSource(sources: SourceSpec[], revisions: string[], source: SourceSpec, sha: string, refVar: string) {
  const at = sources.findIndex((s) => s.ref !== undefined && s.ref !== '' && `$${s.ref}` === refVar);
  const ref = sources[at];
  const fail = (desc: string) => new RenderError(`rpc error: code = Unknown desc = ${desc}`);
  if (!ref) {
    const keys = sources.flatMap((s) => (s.ref ? [`$${s.ref}`] : []));
    if (keys.length === 0) throw fail(`source referenced "${refVar}", but no source has a 'ref' field defined`);
    throw fail(`source referenced "${refVar}", which is not one of the available sources (${keys.join(', ')})`);
  }
  if (ref.chart) throw fail("source has a 'chart' field defined, but Helm charts are not yet not supported for 'ref' sources");
  const refSha = revisions[at] ?? '';
  if (!source.chart && normalizeRepoURL(source.repoURL) === normalizeRepoURL(ref.repoURL) && refSha !== sha) {
    throw fail(
      `cannot reference a different revision of the same repository (${refVar} references "${targetOf(ref)}" which resolves to "${refSha}" while the application references "${targetOf(source)}" which resolves to "${sha}")`,
    );
  }
  return { repoURL: ref.repoURL, sha: refSha };
}
