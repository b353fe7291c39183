// The simulated Argo CD Application: its spec as registered, its in-memory state (SimApp), and the shapes
// shared by the controller (argo-controller.ts), its sync operations (argo-operations.ts) and its JSON
// views (argo-views.ts): the API error, the sync request, and the comparison of a desired with a live workload.
import type {
  ApplicationCondition,
  Info,
  Operation,
  OperationState,
  ResourceStatus,
  RevisionHistory,
} from '../integrations/argocd-schema.js';
import type { ArgoHealth } from './argo-health.js';
import { type DesiredWorkload, templateHash } from './chart.js';
import type { LiveWorkload } from './cluster.js';

export interface AppSpec {
  name: string;
  project?: string;
  /** Path or file:// URL of a Git repository (bare or not). */
  repoURL: string;
  /** Directory of the app inside the repo, e.g. `environments/dev/core`. */
  path: string;
  /** Branch, tag or SHA; default `main`. */
  targetRevision?: string;
  /** Helm value files, relative to `path`; default `['values.yaml']`. */
  valueFiles?: string[];
  /** Destination namespace. */
  namespace: string;
  /** Auto-sync (syncPolicy.automated) on or off. */
  automated?: boolean;
  labels?: Record<string, string>;
}

export class ArgoApiError extends Error {
  override readonly name = 'ArgoApiError';
  constructor(
    readonly httpStatus: number,
    readonly grpcCode: number,
    message: string,
  ) {
    super(message);
  }
}

export interface Rendered {
  sha: string;
  workloads: DesiredWorkload[];
}

export interface SimApp {
  spec: Required<Omit<AppSpec, 'labels'>> & { labels: Record<string, string> };
  uid: string;
  createdAt: number;
  resourceVersion: number;
  generation: number;
  annotations: Record<string, string>;
  operation: Operation | null;
  operationState: OperationState | undefined;
  history: RevisionHistory[];
  reconciledAt: number | undefined;
  sync: { status: 'Synced' | 'OutOfSync' | 'Unknown'; revision?: string };
  health: ArgoHealth;
  resources: ResourceStatus[];
  conditions: ApplicationCondition[];
  images: string[];
  target: Rendered | undefined;
  /** Live objects this app has applied (for pruning and reconcile triggers). */
  managed: Map<string, { kind: string; namespace: string; name: string }>;
  opCancels: (() => void)[];
  release: (() => void) | undefined;
  reconcileScheduled: boolean;
  lastAutoSyncedSha: string | undefined;
}

export interface SyncRequest {
  revision?: string;
  prune?: boolean;
  dryRun?: boolean;
  syncOptions?: { items?: string[] };
  infos?: Info[];
}

/** In sync when the live workload matches the rendered one (reconcile's sync status, managed-resources' `modified`). */
export function isInSync(d: DesiredWorkload, live: LiveWorkload | undefined): boolean {
  return (
    live !== undefined &&
    live.templateHash === templateHash(d.template) &&
    live.replicas === d.replicas &&
    JSON.stringify(live.labels) === JSON.stringify(d.labels) &&
    JSON.stringify(live.annotations) === JSON.stringify(d.annotations)
  );
}
