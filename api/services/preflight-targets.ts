// Preflight checks of the Argo CD and Kubernetes targets (api/services/preflight.ts runs them). Read-only
// calls through the clients of integrations/ (their per-request timeouts bound every call); independent
// reads run concurrently.
import { posix } from 'node:path';
import { type ArgoTarget, type GitopsTarget, type KubeTarget } from '../../domain/environment.js';
import type { ImageMappingType } from '../../domain/image-mapping.js';
import { valuesPath } from '../../gitops/render.js';
import { ArgoCdError, GrpcCode, type Application, type ApplicationSource, type ArgoClient } from '../../integrations/argocd.js';
import { describeSource, isMultiSource, sameRepository, sourceRepositories, sourcesOf } from '../../integrations/argocd-sources.js';
import { resolveApplications } from '../../integrations/argocd-selection.js';
import { KubeApiError } from '../../integrations/kube.js';
import type { TargetClients } from '../../integrations/targets.js';
import { check, hostOf, reason, type PreflightCheck } from './preflight-checks.js';
import { windowsCheck } from './preflight-windows.js';

interface Target {
  name: string;
  gitops: GitopsTarget;
  argocd: ArgoTarget;
  kubernetes: KubeTarget;
}

/** A file the release writes for a group (preflight-git.ts planFor), which the group's Application must read. */
export interface PlannedFile {
  path: string;
  type: ImageMappingType;
}

/** Any selector works for the probe: an authenticated list that returns nothing. */
const PROBE_SELECTOR = 'flow-controller.io/preflight-probe=none';

export async function argoChecks(
  targets: TargetClients,
  env: Target,
  groups: string[],
  filesOf?: (group: string) => PlannedFile[],
): Promise<PreflightCheck[]> {
  const a = env.argocd;
  const server = hostOf(a.serverUrl);
  let argo: ArgoClient;
  try {
    argo = targets.argoFor(env);
  } catch (err) {
    return [
      check(
        'argocd',
        'argocd.reachable',
        'error',
        `Argo CD credentials not available: ${reason(err)}; fix argocd.* or the secret it names`,
      ),
    ];
  }
  try {
    await argo.listApplications(PROBE_SELECTOR);
  } catch (err) {
    if (err instanceof ArgoCdError && err.status === 401) {
      return [
        check('argocd', 'argocd.reachable', 'ok', `Argo CD at ${server} answered`),
        check(
          'argocd',
          'argocd.authenticated',
          'error',
          `Argo CD at ${server} refused the credentials (authentication failed, HTTP 401): check argocd.tokenRef ` +
            '(an account token, not expired) or argocd.usernameRef/passwordRef and the secrets they name',
        ),
      ];
    }
    return [check('argocd', 'argocd.reachable', 'error', unreachable(server, err))];
  }
  const checks = [
    check('argocd', 'argocd.reachable', 'ok', `Argo CD at ${server} answered`),
    check('argocd', 'argocd.authenticated', 'ok', 'the configured credentials are accepted'),
  ];
  // The applications by name pattern, or by label selector through Argo CD (ApplicationSet-generated apps).
  let matches;
  try {
    matches = await resolveApplications(argo, env, groups);
  } catch (err) {
    return [...checks, check('argocd', 'argocd.applications', 'error', `the applications could not be listed: ${reason(err)}`)];
  }
  const perApp = await Promise.all(
    matches.map((m) =>
      'problem' in m
        ? Promise.resolve([check('argocd', `argocd.application:${m.group}`, 'error', m.problem)])
        : appChecks(argo, env, m.group, m.name, filesOf?.(m.group)),
    ),
  );
  return [...checks, ...perApp.flat()];
}

function unreachable(server: string, err: unknown): string {
  if (err instanceof ArgoCdError && err.status === 0) {
    return err.code === GrpcCode.DeadlineExceeded
      ? `Argo CD at ${server} did not answer in time: check argocd.serverUrl and the network path from Flow Controller`
      : `Argo CD at ${server} unreachable (${reason(err)}): check argocd.serverUrl`;
  }
  if (err instanceof ArgoCdError) return `Argo CD at ${server} answered HTTP ${err.status}: ${reason(err)}`;
  return `Argo CD at ${server}: ${reason(err)}`;
}

async function appChecks(argo: ArgoClient, env: Target, group: string, name: string, files?: PlannedFile[]): Promise<PreflightCheck[]> {
  const a = env.argocd;
  const id = (kind: string) => `argocd.${kind}:${name}`;
  const [appResult] = await Promise.allSettled([argo.getApplication(name, { project: a.project })]);
  if (appResult.status === 'rejected') {
    const err: unknown = appResult.reason;
    let message = `Application ${name} (group ${group}) could not be read: ${reason(err)}`;
    if (err instanceof ArgoCdError && err.status === 404) {
      message =
        `Application ${name} (group ${group}) not found in project "${a.project}": create it, or fix argocd.applicationPattern ` +
        `("${a.applicationPattern}") or argocd.project`;
    } else if (err instanceof ArgoCdError && err.status === 403) {
      message = `permission denied reading Application ${name} in project "${a.project}": the Argo CD account needs "applications, get" and "applications, sync" on ${a.project}/*`;
    }
    return [check('argocd', id('application'), 'error', message)];
  }
  const app = appResult.value;
  return [
    check('argocd', id('application'), 'ok', `Application ${name} exists in project "${a.project}"`),
    sourceCheck(app, env, group, id('source'), files),
    autoSyncCheck(app, id('auto-sync')),
    // Which sync the windows must allow depends on the application's sync mode.
    await windowsCheck(argo, env, app, id('sync-windows')),
  ];
}

/** The repository files a source reads as Helm values (`$ref/…` resolved against the `ref` sources). */
function valuesFilesRead(source: ApplicationSource, all: ApplicationSource[], multi: boolean, repoUrl: string): string[] {
  // A ref-only source renders nothing; a chart without valueFiles reads its own values.yaml.
  if (multi && source.ref && !source.path && !source.chart) return [];
  const files = source.helm?.valueFiles ?? (source.chart ? [] : ['values.yaml']);
  const out: string[] = [];
  for (const f of files) {
    const ref = multi ? /^\$([^/]+)\/(.*)$/.exec(f) : null;
    if (ref) {
      const target = all.find((s) => s.ref === ref[1]);
      if (target && sameRepository(target.repoURL, repoUrl)) out.push(posix.normalize(ref[2] ?? ''));
    } else if (!source.chart && sameRepository(source.repoURL, repoUrl)) {
      out.push(posix.normalize(posix.join(source.path ?? '', f)));
    }
  }
  return out;
}

function valuesRead(sources: ApplicationSource[], multi: boolean, repoUrl: string): string {
  return sources.flatMap((s) => valuesFilesRead(s, sources, multi, repoUrl)).join(', ') || 'no values file';
}

/**
 * Whether the sources read `file` the way its mapping needs: as a values file, as the kustomization of the source
 * path, or as a manifest in it (a ref-only source and a Helm-repository chart read no path of the repository).
 */
function reads(sources: ApplicationSource[], multi: boolean, repoUrl: string, file: PlannedFile): boolean {
  if (file.type === 'flow-workloads' || file.type === 'helm-values') {
    return sources.flatMap((s) => valuesFilesRead(s, sources, multi, repoUrl)).includes(file.path);
  }
  const dir = posix.dirname(file.path);
  return sources.some((s) => {
    if (!sameRepository(s.repoURL, repoUrl) || s.chart || (multi && s.ref && !s.path)) return false;
    const path = posix.normalize(s.path ?? '.');
    if (file.type === 'kustomize') return path === dir;
    if (path === dir) return true;
    // A directory source reads its own folder; deeper files only with directory.recurse.
    const recurse = (s as { directory?: { recurse?: boolean } }).directory?.recurse === true;
    return recurse && (path === '.' || dir.startsWith(`${path}/`));
  });
}

/**
 * Does the Application read the files Flow Controller writes (the mapped files, else the values file), from the
 * branch it commits to? For a multi-source app, says which sources Flow Controller writes (those reading
 * gitops.repoUrl: each promotion syncs them to its commit, the others stay at their targetRevision).
 */
function sourceCheck(app: Application, env: Target, group: string, id: string, files?: PlannedFile[]): PreflightCheck {
  const g = env.gitops;
  const sources = sourcesOf(app);
  const multi = isMultiSource(app);
  const name = app.metadata.name;
  const written = sources.flatMap((s, i) => (sameRepository(s.repoURL, g.repoUrl) ? [i] : []));
  if (written.length === 0) {
    return check(
      'argocd',
      id,
      'error',
      `Application ${name} reads ${sourceRepositories(app)}, not ${g.repoUrl}: point its source (or a "ref: values" source) at gitops.repoUrl`,
    );
  }
  const wrongRevision = written.filter((i) => (sources[i]?.targetRevision || 'HEAD') !== g.branch);
  if (wrongRevision.length > 0) {
    const at = wrongRevision[0] as number;
    const rev = sources[at]?.targetRevision || 'HEAD';
    return check(
      'argocd',
      id,
      'error',
      `Application ${name} follows targetRevision "${rev}" of ${g.repoUrl}${multi ? ` in ${describeSource(app, at)}` : ''}, but Flow Controller commits to branch "${g.branch}": set targetRevision to "${g.branch}" or gitops.branch to "${rev}"`,
    );
  }
  if (files) {
    const unread = files.filter((f) => !reads(sources, multi, g.repoUrl, f));
    if (unread.length > 0) {
      const f = unread[0] as PlannedFile;
      const how =
        f.type === 'kustomize'
          ? `spec.source.path "${posix.dirname(f.path)}" (the kustomization's directory)`
          : f.type === 'manifests'
            ? `spec.source.path "${posix.dirname(f.path)}" (or a parent with directory.recurse)`
            : multi
              ? `the chart source's helm.valueFiles at "$<ref>/${f.path}" (the ref source reading gitops.repoUrl; it reads ${valuesRead(sources, multi, g.repoUrl)} now)`
              : 'helm.valueFiles (relative to path, or $values/…)';
      return check(
        'argocd',
        id,
        'error',
        `Application ${name} does not read ${unread.map((u) => u.path).join(', ')}, which Flow Controller writes (${f.type} mapping): point ${how} at it, or fix gitops.mapping / gitops.groups`,
      );
    }
    const list = files.map((f) => f.path).join(', ') || 'nothing Flow Controller writes';
    return check('argocd', id, 'ok', `Application ${name}${writtenNote(app, written, ` reads ${list} from branch "${g.branch}"`)}`);
  }
  const expected = valuesPath(g.pathPattern, env.name, group);
  const read = sources.flatMap((s) => valuesFilesRead(s, sources, multi, g.repoUrl));
  if (!read.includes(expected)) {
    return check(
      'argocd',
      id,
      'error',
      `Application ${name} reads ${valuesRead(sources, multi, g.repoUrl)} but Flow Controller writes ${expected}: ` +
        (multi
          ? `point the chart source's helm.valueFiles at "$<ref>/${expected}" (the ref source reading gitops.repoUrl), or fix gitops.pathPattern`
          : 'point spec.source.path/helm.valueFiles at it, or fix gitops.pathPattern'),
    );
  }
  return check('argocd', id, 'ok', `Application ${name}${writtenNote(app, written, ` reads ${expected} from branch "${g.branch}"`)}`);
}

/** `reads`, and for a multi-source app which of its sources (`written`) Flow Controller writes and syncs. */
function writtenNote(app: Application, written: number[], reads: string): string {
  if (!isMultiSource(app)) return reads;
  const others = (app.spec.sources?.length ?? 0) - written.length;
  return (
    ` (multi-source)${reads}; Flow Controller writes ` +
    `${written.map((i) => describeSource(app, i)).join(' and ')} and syncs ${written.length === 1 ? 'it' : 'them'} to each pushed commit` +
    (others > 0 ? `; the other ${others === 1 ? 'source keeps its' : `${others} sources keep their`} targetRevision` : '')
  );
}

function autoSyncCheck(app: Application, id: string): PreflightCheck {
  const name = app.metadata.name;
  if (app.spec.syncPolicy?.automated) {
    return check(
      'argocd',
      id,
      'warning',
      `auto-sync is on for ${name}: Flow Controller syncs every promotion explicitly to its commit, and Argo CD refuses a ` +
        'sync to a revision other than targetRevision while auto-sync is on; turn spec.syncPolicy.automated off for this Application',
    );
  }
  return check('argocd', id, 'ok', `auto-sync is off for ${name} (Flow Controller syncs explicitly)`);
}

export async function kubeChecks(targets: TargetClients, env: Target): Promise<PreflightCheck[]> {
  const k = env.kubernetes;
  const server = hostOf(k.server);
  const ns = k.namespace;
  let kube;
  try {
    kube = targets.kubeFor(env);
  } catch (err) {
    return [
      check(
        'kubernetes',
        'kubernetes.reachable',
        'error',
        `Kubernetes credentials not available: ${reason(err)}; fix kubernetes.* or the secret it names`,
      ),
    ];
  }
  const [nsResult, listResult] = await Promise.allSettled([
    kube.getNamespace(ns),
    Promise.all([kube.listWorkloads(ns), kube.listPods(ns)]),
  ]);
  const failures = [nsResult, listResult].flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  const down = failures.find((e) => !(e instanceof KubeApiError) || e.status === 0);
  if (down) {
    const timedOut = down instanceof KubeApiError && down.reason === 'Timeout';
    return [
      check(
        'kubernetes',
        'kubernetes.reachable',
        'error',
        timedOut
          ? `Kubernetes API at ${server} did not answer in time: check kubernetes.server and the network path`
          : `Kubernetes API at ${server} unreachable: ${reason(down)}; check kubernetes.server and kubernetes.caData (or skipTLSVerify)`,
      ),
    ];
  }
  if (failures.some((e) => e instanceof KubeApiError && e.status === 401)) {
    return [
      check(
        'kubernetes',
        'kubernetes.reachable',
        'error',
        `Kubernetes API at ${server} refused the token (authentication failed, HTTP 401): check kubernetes.tokenRef and that the token is valid for this cluster`,
      ),
    ];
  }
  const checks = [check('kubernetes', 'kubernetes.reachable', 'ok', `Kubernetes API at ${server} accepted the token`)];
  if (nsResult.status === 'fulfilled') {
    checks.push(check('kubernetes', 'kubernetes.namespace', 'ok', `namespace "${ns}" exists`));
  } else {
    const err = nsResult.reason as KubeApiError;
    if (err.status === 404) {
      checks.push(
        check(
          'kubernetes',
          'kubernetes.namespace',
          'error',
          `namespace "${ns}" does not exist: create it (or let Argo CD create it) or fix kubernetes.namespace`,
        ),
      );
    } else if (err.status === 403) {
      checks.push(
        check(
          'kubernetes',
          'kubernetes.namespace',
          'warning',
          `the token may not read namespace "${ns}" (a cluster-scoped "get namespaces"), so its existence is not verified; ` +
            'the workload check below still tells whether the token can read it',
        ),
      );
    } else {
      checks.push(check('kubernetes', 'kubernetes.namespace', 'error', `namespace "${ns}" could not be read: ${reason(err)}`));
    }
  }
  if (listResult.status === 'fulfilled') {
    const [workloads, pods] = listResult.value;
    checks.push(
      check('kubernetes', 'kubernetes.workloads', 'ok', `${workloads.length} workload(s) and ${pods.length} pod(s) readable in "${ns}"`),
    );
  } else {
    const err = listResult.reason as KubeApiError;
    checks.push(
      check(
        'kubernetes',
        'kubernetes.workloads',
        'error',
        err.status === 403
          ? `the token may not list workloads in "${ns}" (HTTP 403): grant get/list on deployments, statefulsets, daemonsets (apps) and pods in that namespace`
          : `workloads in "${ns}" could not be listed: ${reason(err)}`,
      ),
    );
  }
  return checks;
}
