// The sources of a simulated Application, single (`spec.source`) or multiple (`spec.sources`), as Argo CD
// handles them: the spec as registered, the sync request's per-source revisions (`revisions[]` with 1-based
// `sourcePositions[]`, argo-cd server/application/application.go resolveSourceRevisions), and the JSON fields
// that carry revisions: a single-source app has `revision` + `source`, a multi-source one `revisions[]` +
// `sources[]` with `revision` empty or absent (pkg/apis/application/v1alpha1/types.go: SyncStatus,
// SyncOperation, SyncOperationResult, RevisionHistory; the `source` struct is always encoded, so it shows as
// `{"repoURL": ""}` on a multi-source app).
import type { ApplicationSource } from '../integrations/argocd-schema.js';
import { type AppSpec, ArgoApiError, type SimApp, type SourceSpec, type SyncRequest } from './argo-app.js';

/** Argo's ref key rule (util/argo GetRefSources). */
const REF_KEY = /^[a-zA-Z0-9_-]+$/;

/** The app's sources with the simulator's single-source defaults (targetRevision `main`, `values.yaml`). */
export function sourcesOfSpec(spec: AppSpec): { sources: SourceSpec[]; multi: boolean } {
  const multi = spec.sources !== undefined && spec.sources.length > 0;
  if (multi && (spec.repoURL !== undefined || spec.path !== undefined || spec.directory !== undefined)) {
    throw new Error(`application ${spec.name}: give either repoURL/path (spec.source) or sources (spec.sources), not both`);
  }
  if (!multi) {
    if (spec.repoURL === undefined || spec.path === undefined) throw new Error(`application ${spec.name}: repoURL and path are required`);
    // `valueFiles: []` is no `helm` section: Argo's discovery decides the source type.
    const valueFiles = spec.valueFiles ?? ['values.yaml'];
    const source: SourceSpec = {
      repoURL: spec.repoURL,
      path: spec.path,
      targetRevision: spec.targetRevision ?? 'main',
      ...(valueFiles.length > 0 ? { helm: { valueFiles } } : {}),
      ...(spec.directory ? { directory: { recurse: spec.directory.recurse ?? false } } : {}),
    };
    return { sources: [source], multi: false };
  }
  const sources = (spec.sources ?? []).map((s) => structuredClone(s));
  const refs = new Set<string>();
  for (const s of sources) {
    if (s.ref === undefined || s.ref === '') continue;
    if (!REF_KEY.test(s.ref)) throw new Error(`sources.ref ${s.ref} cannot contain any special characters except '_' and '-'`);
    if (refs.has(s.ref)) throw new Error('invalid sources: multiple sources had the same `ref` key');
    refs.add(s.ref);
  }
  return { sources, multi: true };
}

/** A source renders manifests unless it only provides files to other sources (argo-cd GenerateManifest skips it). */
export function rendersManifests(s: SourceSpec, multi: boolean): boolean {
  return !(multi && !s.path && !s.chart && !!s.ref);
}

/** Argo's revision default for a source: its targetRevision, else `HEAD`. */
export function targetOf(s: SourceSpec): string {
  return s.targetRevision || 'HEAD';
}

/** The Argo JSON of one source (empty fields omitted, as Go's omitempty does). */
export function sourceJson(s: SourceSpec): ApplicationSource {
  return {
    repoURL: s.repoURL,
    ...(s.path ? { path: s.path } : {}),
    ...(s.targetRevision ? { targetRevision: s.targetRevision } : {}),
    ...(s.helm ? { helm: { ...(s.helm.valueFiles ? { valueFiles: [...s.helm.valueFiles] } : {}) } } : {}),
    ...(s.directory ? { directory: s.directory.recurse ? { recurse: true } : {} } : {}),
    ...(s.chart ? { chart: s.chart } : {}),
    ...(s.ref ? { ref: s.ref } : {}),
    ...(s.name ? { name: s.name } : {}),
  };
}

const EMPTY_SOURCE: ApplicationSource = { repoURL: '' };

/** `spec.source` or `spec.sources`. */
export function specSourcesJson(app: SimApp): { source: ApplicationSource } | { sources: ApplicationSource[] } {
  return app.spec.multi ? { sources: app.spec.sources.map(sourceJson) } : { source: sourceJson(first(app)) };
}

/** `status.sync.revision(s)` and `comparedTo`. */
export function syncStatusFields(app: SimApp, revisions: string[] | undefined) {
  const destination = { server: 'https://kubernetes.default.svc', namespace: app.spec.namespace };
  if (!app.spec.multi) {
    return {
      comparedTo: { source: sourceJson(first(app)), destination },
      ...(revisions?.[0] ? { revision: revisions[0] } : {}),
    };
  }
  return {
    comparedTo: { source: EMPTY_SOURCE, destination, sources: app.spec.sources.map(sourceJson) },
    ...(revisions && revisions.length > 0 ? { revisions: [...revisions] } : {}),
  };
}

/**
 * `status.sourceType` of a single-source app (before any render: its explicit type, else Helm), `status.sourceTypes`
 * of a multi-source one (one per source, '' for a ref-only source), as the controller sets them from the
 * repo-server's manifest responses.
 */
export function sourceTypeFields(app: SimApp): { sourceType: string } | { sourceTypes: string[] } | Record<string, never> {
  const types = app.target?.sourceTypes;
  if (app.spec.multi) return types ? { sourceTypes: [...types] } : {};
  return { sourceType: types?.[0] || (first(app).directory ? 'Directory' : 'Helm') };
}

/** `operation.sync`'s revision fields: the server puts the spec's sources on a multi-source operation. */
export function operationRevisionFields(app: SimApp, revisions: string[]) {
  return app.spec.multi ? { revisions: [...revisions], sources: app.spec.sources.map(sourceJson) } : { revision: revisions[0] ?? '' };
}

/** `operationState.syncResult`'s revision fields (`revision` is always encoded: empty when multi-source). */
export function syncResultRevisionFields(app: SimApp, revisions: string[]) {
  if (!app.spec.multi) return { revision: revisions[0] ?? '', source: sourceJson(first(app)) };
  return { revision: '', source: EMPTY_SOURCE, revisions: [...revisions], sources: app.spec.sources.map(sourceJson) };
}

/** `status.history[]`'s revision fields. */
export function historyRevisionFields(app: SimApp, revisions: string[]) {
  if (!app.spec.multi) return { revision: revisions[0] ?? '', source: sourceJson(first(app)) };
  return { source: EMPTY_SOURCE, revisions: [...revisions], sources: app.spec.sources.map(sourceJson) };
}

/** The revisions an operation synced (`syncResult.revision` or `revisions`). */
export function syncedRevisions(app: SimApp, result: { revision?: string; revisions?: string[] | null } | undefined): string[] | undefined {
  if (!result) return undefined;
  return app.spec.multi ? (result.revisions ?? undefined) : result.revision === undefined ? undefined : [result.revision];
}

/** How Argo prints a list of revisions in messages (Go's `%s` of a []string). */
export function revisionsLabel(revisions: string[]): string {
  return `[${revisions.join(' ')}]`;
}

/**
 * The revision each source is asked to sync to ('' = its targetRevision), as argo-cd's resolveSourceRevisions
 * reads the request: `revision` for a single-source app; `revisions[i]` at 1-based `sourcePositions[i]` for a
 * multi-source one (a position out of range is the server's plain error, 500 Unknown). With automated sync on,
 * a revision other than the source's targetRevision is refused (400 FailedPrecondition).
 */
export function requestedRevisions(app: SimApp, req: SyncRequest): string[] {
  const { sources } = app.spec;
  const automated = app.spec.automated !== undefined && req.dryRun !== true;
  if (!app.spec.multi) {
    const requested = req.revision ?? '';
    const target = first(app).targetRevision ?? '';
    if (automated && requested !== '' && requested !== target) {
      throw new ArgoApiError(400, 9, `Cannot sync to ${requested}: auto-sync currently set to ${target}`);
    }
    return [requested];
  }
  const desired = sources.map(() => '');
  const positions = req.sourcePositions ?? [];
  for (const [i, pos] of positions.entries()) {
    if (!Number.isInteger(pos) || pos <= 0 || pos > sources.length) throw new ArgoApiError(500, 2, 'source position is out of range');
    const rev = req.revisions?.[i];
    // Go indexes revisions[i] unchecked: fewer revisions than positions is a panic, recovered as Internal.
    if (rev === undefined)
      throw new ArgoApiError(500, 13, `runtime error: index out of range [${i}] with length ${req.revisions?.length ?? 0}`);
    desired[pos - 1] = rev;
  }
  for (const [i, rev] of desired.entries()) {
    const s = sources[i] as SourceSpec;
    if (automated && rev !== '' && rev !== targetOf(s)) {
      throw new ArgoApiError(400, 9, `Cannot sync source ${s.repoURL} to ${rev}: auto-sync currently set to ${s.targetRevision ?? ''}`);
    }
  }
  return desired;
}

function first(app: SimApp): SourceSpec {
  const s = app.spec.sources[0];
  if (!s) throw new Error(`application ${app.spec.name} has no source`);
  return s;
}
