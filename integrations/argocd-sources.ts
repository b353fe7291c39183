// Which source of an Argo CD Application Flow Controller writes. A single-source app (`spec.source`) is synced and
// judged as a whole (`revision`, `status.sync.revision`). A multi-source app (`spec.sources[]`, e.g. a chart from a
// Helm repository plus a `ref: values` source in the GitOps repository) is synced per source: the sources whose
// repository is the environment's GitOps repository are the written ones — they get the pushed commit
// (`revisions` + 1-based `sourcePositions` in the sync request), every other source keeps its targetRevision, and
// convergence reads their entries of `status.sync.revisions[]` and `syncResult.revisions[]`. Pure.
import type { Application, ApplicationSource } from './argocd-schema.js';

/** The sources in `spec.sources` order (a single-source app: its one source). */
export function sourcesOf(app: Application): ApplicationSource[] {
  const multi = app.spec.sources;
  if (multi && multi.length > 0) return multi;
  return app.spec.source ? [app.spec.source] : [];
}

/** Argo CD's rule (`HasMultipleSources`): `spec.sources` is non-empty. */
export function isMultiSource(app: Application): boolean {
  return (app.spec.sources?.length ?? 0) > 0;
}

/**
 * A repository URL reduced to host and path, for "is this the same repository": lower case, no scheme, user,
 * port, trailing slash or `.git`; scp-like `git@host:org/repo` and file paths included. So the HTTPS URL Argo CD
 * reads and the SSH URL Flow Controller pushes to compare equal.
 */
export function repositoryKey(url: string): string {
  let u = url.trim().toLowerCase();
  const scp = /^(?:[^@/]+@)?([^:/]+):(?!\/)(.*)$/.exec(u);
  if (scp && !/^[a-z][a-z0-9+.-]*:\/\//.test(u)) u = `${scp[1]}/${scp[2]}`;
  else u = u.replace(/^[a-z][a-z0-9+.-]*:\/\//, '').replace(/^[^@/]*@/, '');
  const slash = u.indexOf('/');
  const host = (slash < 0 ? u : u.slice(0, slash)).replace(/:\d+$/, '');
  const rest = slash < 0 ? '' : u.slice(slash);
  return `${host}${rest}`
    .replace(/\/+$/, '')
    .replace(/\.git$/, '')
    .replace(/\/+$/, '');
}

export function sameRepository(a: string, b: string): boolean {
  return repositoryKey(a) === repositoryKey(b);
}

/**
 * The 0-based positions in `spec.sources` of the sources Flow Controller writes: those reading `repoUrl`. A
 * single-source app is written as a whole: `[0]` whatever its repository (as before multi-source support). A
 * multi-source app with none is a configuration error for the caller to report (`[]`).
 */
export function writtenSources(app: Application, repoUrl: string): number[] {
  if (!isMultiSource(app)) return [0];
  return sourcesOf(app).flatMap((s, i) => (sameRepository(s.repoURL, repoUrl) ? [i] : []));
}

/**
 * The revision of the written sources in a single-source `revision` / multi-source `revisions[]` pair: the
 * single revision, or the written sources' entry (the first one that differs from `expected` when they disagree,
 * so a comparison with `expected` fails). Undefined when absent.
 */
export function writtenRevision(
  app: Application,
  indexes: readonly number[],
  field: { revision?: string | undefined; revisions?: string[] | null | undefined } | undefined,
  expected?: string,
): string | undefined {
  if (!isMultiSource(app)) return field?.revision || undefined;
  const values = indexes.map((i) => field?.revisions?.[i]);
  return (values.find((v) => v !== expected) ?? values[0]) || undefined;
}

/** `1 of 2 (ref "values", https://…)`: how messages name a source. */
export function describeSource(app: Application, index: number): string {
  const all = sourcesOf(app);
  const s = all[index];
  if (!s) return `source ${index + 1}`;
  const what = [
    s.name ? `"${s.name}"` : '',
    s.ref ? `ref "${s.ref}"` : '',
    s.chart ? `chart ${s.chart}` : '',
    s.path ? `path ${s.path}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return `source ${index + 1} of ${all.length} (${what ? `${what}, ` : ''}${s.repoURL})`;
}

/** The repositories of the app's sources, for messages. */
export function sourceRepositories(app: Application): string {
  return (
    sourcesOf(app)
      .map((s) => s.repoURL)
      .join(', ') || 'no source'
  );
}
