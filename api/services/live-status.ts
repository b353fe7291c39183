// The live view of an environment: Argo CD status per application, correlated with the release the
// environment should run through the release-id annotation on the application's workloads.
//
// Viewers poll it (the board every few seconds), so it is shared and bounded: one fetch per environment at
// a time whatever the number of viewers ("single flight"), its result kept `cacheTtlMs` for everyone, at
// most `concurrency` application reads in flight in the whole process, and every fan-out answered by
// `deadlineMs` (a hung target shows as an error entry, never as a hung page). Viewers see short, fixed
// error texts; the details go to the log.
import type { EnvironmentRow } from '../../db/environments.js';
import { RELEASE_ANNOTATION } from '../../domain/environment.js';
import { targetsOf } from '../../domain/clusters.js';
import { ArgoCdError, GrpcCode } from '../../integrations/argocd.js';
import { resolveApplications } from '../../integrations/argocd-selection.js';
import { writtenRevision, writtenSources } from '../../integrations/argocd-sources.js';
import { KubeApiError, type KubeClient } from '../../integrations/kube.js';
import type { TargetClients } from '../../integrations/targets.js';
import type { Logger } from '../../lib/logger.js';
import { SecretError } from '../../lib/secrets.js';
import { createLimiter, type Limiter } from '../../lib/limiter.js';
import type { LiveApp } from '../schemas.js';

export interface LiveStatusOptions {
  /** How long a fetched live view is served to every viewer (0: no caching, single flight only). */
  cacheTtlMs: number;
  /** Application reads (Argo CD + Kubernetes) in flight at most, across all environments and viewers. */
  concurrency: number;
  /** A fan-out answers by then; applications still unread show an error entry. */
  deadlineMs: number;
  logger: Logger;
  /** Test seam: the clock (default Date.now). */
  now?: () => number;
}

export interface LiveStatusService {
  /**
   * Live status of the applications of `groups` in `env` (by name pattern, or listed from Argo CD by the
   * environment's label selector), served from the shared cache when fresh.
   */
  get(env: EnvironmentRow, groups: string[]): Promise<LiveApp[]>;
}

type AppRef = { group: string; name: string };

interface Entry {
  key: string;
  value: Promise<LiveApp[]>;
  /** Infinity while the fetch is in flight. */
  expiresAt: number;
}

export function createLiveStatus(targets: TargetClients, opts: LiveStatusOptions): LiveStatusService {
  const now = opts.now ?? Date.now;
  const limit = createLimiter(opts.concurrency);
  const entries = new Map<string, Entry>();
  return {
    get(env, groups) {
      if (groups.length === 0) return Promise.resolve([]);
      // A changed configuration, current release or group list is a different view.
      const key = JSON.stringify([env.updatedAt.getTime(), env.currentReleaseId, groups]);
      const cached = entries.get(env.name);
      if (cached && cached.key === key && now() < cached.expiresAt) return cached.value;
      const entry: Entry = { key, expiresAt: Number.POSITIVE_INFINITY, value: Promise.resolve([]) };
      entry.value = fetchLive(targets, env, groups, limit, opts).finally(() => {
        entry.expiresAt = now() + opts.cacheTtlMs;
        if (opts.cacheTtlMs <= 0 && entries.get(env.name) === entry) entries.delete(env.name);
      });
      entries.set(env.name, entry);
      return entry.value;
    },
  };
}

/**
 * Every cluster of the environment (domain/clusters.ts), concurrently under the same deadline and limit; with
 * several, each entry names its cluster, in group order and then in the configuration's cluster order.
 */
async function fetchLive(
  targets: TargetClients,
  env: EnvironmentRow,
  groups: string[],
  limit: Limiter,
  opts: LiveStatusOptions,
): Promise<LiveApp[]> {
  const clusters = targetsOf(env);
  if (clusters.length === 1) return fetchTarget(targets, env, groups, limit, opts);
  const perCluster = await Promise.all(
    clusters.map(async (t) => {
      const apps = await fetchTarget(targets, { ...env, argocd: t.argocd, kubernetes: t.kubernetes }, groups, limit, opts, t.name);
      return apps.map((a) => ({ ...a, cluster: t.name }));
    }),
  );
  return perCluster.flat().sort((a, b) => a.group.localeCompare(b.group));
}

/** The live view of one target (the environment's top-level one, or a cluster's in its place). */
async function fetchTarget(
  targets: TargetClients,
  env: EnvironmentRow,
  groups: string[],
  limit: Limiter,
  opts: LiveStatusOptions,
  cluster?: string,
): Promise<LiveApp[]> {
  const log = opts.logger.child({ environment: env.name, ...(cluster ? { cluster } : {}) });
  let argo;
  try {
    argo = targets.argoFor(env);
  } catch (err) {
    log.warn({ err: describe(err) }, 'live view: no Argo CD client');
    return groups.map((group) => ({ ...unknownApp({ group, name: '' }), error: viewerError(err) }));
  }
  let kube: KubeClient | undefined;
  try {
    kube = targets.kubeFor(env);
  } catch (err) {
    log.warn({ err: describe(err) }, 'live view: no Kubernetes client, release correlation off');
  }
  let timer: NodeJS.Timeout | undefined;
  let late = false;
  const deadline = new Promise<'deadline'>((resolve) => {
    timer = setTimeout(() => {
      late = true;
      resolve('deadline');
    }, opts.deadlineMs);
  });
  try {
    // By label selector, the application list is itself an Argo CD read, bounded like the others.
    const listed = await Promise.race([
      limit(() => resolveApplications(argo, env, groups)).catch((err: unknown) => {
        log.warn({ err: describe(err) }, 'live view: Argo CD application list failed');
        return viewerError(err);
      }),
      deadline,
    ]);
    if (typeof listed === 'string') {
      const error = listed === 'deadline' ? 'live status not read in time' : listed;
      return groups.map((group) => ({ ...unknownApp({ group, name: '' }), error }));
    }
    const unmatched: LiveApp[] = listed.flatMap((m) =>
      'problem' in m ? [{ ...unknownApp({ group: m.group, name: '' }), error: 'no application selected for this group' }] : [],
    );
    const applications: AppRef[] = listed.flatMap((m) => ('name' in m ? [m] : []));
    const read = await Promise.all(
      applications.map(async (ref) => {
        const result = await Promise.race([limit(async () => (late ? 'deadline' : readApp(env, ref, argo, kube, log))), deadline]);
        if (result !== 'deadline') return result;
        log.warn({ application: ref.name, deadlineMs: opts.deadlineMs }, 'live view: application not read in time');
        return { ...unknownApp(ref), error: 'live status not read in time' };
      }),
    );
    return [...read, ...unmatched].sort((a, b) => a.group.localeCompare(b.group));
  } finally {
    clearTimeout(timer);
  }
}

async function readApp(
  env: EnvironmentRow,
  { group, name }: AppRef,
  argo: ReturnType<TargetClients['argoFor']>,
  kube: KubeClient | undefined,
  log: Logger,
): Promise<LiveApp> {
  let app;
  try {
    app = await argo.getApplication(name, { project: env.argocd.project });
  } catch (err) {
    log.warn({ application: name, err: describe(err) }, 'live view: Argo CD read failed');
    return { ...unknownApp({ group, name }), error: viewerError(err) };
  }
  // The release each workload was rendered from (chart convention: the release-id annotation).
  const releaseIds = new Set<string>();
  let error: string | undefined;
  if (kube) {
    try {
      for (const w of await kube.listWorkloads(env.kubernetes.namespace, `app.kubernetes.io/instance=${name}`)) {
        const id = w.object.metadata?.annotations?.[RELEASE_ANNOTATION];
        if (id) releaseIds.add(id);
      }
    } catch (err) {
      log.warn({ application: name, err: describe(err) }, 'live view: Kubernetes read failed');
      error = viewerError(err);
    }
  }
  const releaseId = releaseIds.size === 1 ? ([...releaseIds][0] ?? null) : null;
  // Multi-source: the revision of the source(s) reading the environment's repository (`status.sync.revisions[i]`).
  const written = writtenSources(app, env.gitops.repoUrl);
  if (written.length === 0) error ??= "no source reads the environment's repository";
  return {
    name,
    group,
    sync: app.status?.sync?.status ?? null,
    health: app.status?.health?.status ?? null,
    revision: writtenRevision(app, written, app.status?.sync) ?? null,
    releaseId,
    matchesCurrentRelease: releaseId === null ? null : releaseId === env.currentReleaseId,
    ...(error ? { error } : {}),
  };
}

/** A short, fixed text per kind of failure: no URL, no server message, no secret reaches a viewer. */
export function viewerError(err: unknown): string {
  if (err instanceof ArgoCdError) {
    if (err.status === 0) return err.code === GrpcCode.DeadlineExceeded ? 'Argo CD did not answer in time' : 'Argo CD unreachable';
    if (err.status === 401 || err.status === 403) return `Argo CD refused access (HTTP ${err.status})`;
    if (err.status === 404) return 'application not found in Argo CD';
    return `Argo CD error (HTTP ${err.status})`;
  }
  if (err instanceof KubeApiError) {
    if (err.reason === 'Timeout' && err.status === 0) return 'Kubernetes API did not answer in time';
    if (err.status === 0) return 'Kubernetes API unreachable';
    return `Kubernetes API error (${err.reason})`;
  }
  if (err instanceof SecretError) return 'credentials not available';
  return 'live status unavailable';
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

function unknownApp(app: AppRef): LiveApp {
  return { name: app.name, group: app.group, sync: null, health: null, revision: null, releaseId: null, matchesCurrentRelease: null };
}
