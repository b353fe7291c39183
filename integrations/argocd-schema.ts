// Zod schemas for the parts of Argo CD's REST API that Flow Controller reads (contract:
// docs/argocd-contract.md). Objects are "loose": a real Argo CD returns many more fields and
// newer versions add some, and a client must not break on them. Fields Argo omits when empty are
// optional, because grpc-gateway drops zero values.
import { z } from 'zod';

export const SyncStatusCode = z.enum(['Synced', 'OutOfSync', 'Unknown']);
export type SyncStatusCode = z.infer<typeof SyncStatusCode>;

export const HealthStatusCode = z.enum(['Healthy', 'Progressing', 'Degraded', 'Suspended', 'Missing', 'Unknown']);
export type HealthStatusCode = z.infer<typeof HealthStatusCode>;

export const OperationPhase = z.enum(['Running', 'Terminating', 'Failed', 'Error', 'Succeeded']);
export type OperationPhase = z.infer<typeof OperationPhase>;

export const ResultCode = z.enum(['Synced', 'SyncFailed', 'Pruned', 'PruneSkipped']);
export type ResultCode = z.infer<typeof ResultCode>;

export const HealthStatus = z.looseObject({
  status: HealthStatusCode.optional(),
  message: z.string().optional(),
});
export type HealthStatus = z.infer<typeof HealthStatus>;

export const Info = z.looseObject({ name: z.string(), value: z.string() });
export type Info = z.infer<typeof Info>;

export const OperationInitiator = z.looseObject({
  username: z.string().optional(),
  automated: z.boolean().optional(),
});
export type OperationInitiator = z.infer<typeof OperationInitiator>;

export const HelmSource = z.looseObject({
  valueFiles: z.array(z.string()).optional(),
  values: z.string().optional(),
  valuesObject: z.unknown().optional(),
  parameters: z.array(z.looseObject({ name: z.string().optional(), value: z.string().optional() })).optional(),
});
export type HelmSource = z.infer<typeof HelmSource>;

export const ApplicationSource = z.looseObject({
  repoURL: z.string(),
  path: z.string().optional(),
  targetRevision: z.string().optional(),
  helm: HelmSource.optional(),
  /** A chart of a Helm repository (`repoURL`), at version `targetRevision`. */
  chart: z.string().optional(),
  /** Multi-source: other sources read this one's files as `$<ref>/<path>` in `helm.valueFiles`. */
  ref: z.string().optional(),
  name: z.string().optional(),
});
export type ApplicationSource = z.infer<typeof ApplicationSource>;

/**
 * `operation.sync`: note `syncOptions` is a plain string array here, unlike the sync request body. A multi-source
 * app's operation has `revisions` (one per source, in `spec.sources` order) and `sources` instead of `revision`.
 */
export const SyncOperation = z.looseObject({
  revision: z.string().optional(),
  revisions: z.array(z.string()).nullish(),
  prune: z.boolean().optional(),
  dryRun: z.boolean().optional(),
  syncOptions: z.array(z.string()).optional(),
  source: ApplicationSource.optional(),
  sources: z.array(ApplicationSource).nullish(),
});
export type SyncOperation = z.infer<typeof SyncOperation>;

export const Operation = z.looseObject({
  sync: SyncOperation.optional(),
  initiatedBy: OperationInitiator.optional(),
  info: z.array(Info).optional(),
  retry: z.unknown().optional(),
});
export type Operation = z.infer<typeof Operation>;

export const ResourceResult = z.looseObject({
  group: z.string().optional(),
  version: z.string().optional(),
  kind: z.string(),
  namespace: z.string().optional(),
  name: z.string(),
  status: ResultCode.optional(),
  message: z.string().optional(),
  hookPhase: z.string().optional(),
  syncPhase: z.string().optional(),
  images: z.array(z.string()).optional(),
});
export type ResourceResult = z.infer<typeof ResourceResult>;

/** Multi-source: `revision` is empty and `revisions` has one entry per source. */
export const SyncOperationResult = z.looseObject({
  revision: z.string(),
  revisions: z.array(z.string()).nullish(),
  resources: z.array(ResourceResult).optional(),
  source: ApplicationSource.optional(),
  sources: z.array(ApplicationSource).nullish(),
});
export type SyncOperationResult = z.infer<typeof SyncOperationResult>;

export const OperationState = z.looseObject({
  operation: Operation,
  phase: OperationPhase,
  message: z.string().optional(),
  syncResult: SyncOperationResult.optional(),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  retryCount: z.number().optional(),
});
export type OperationState = z.infer<typeof OperationState>;

export const ResourceStatus = z.looseObject({
  group: z.string().optional(),
  version: z.string().optional(),
  kind: z.string(),
  namespace: z.string().optional(),
  name: z.string(),
  status: SyncStatusCode.optional(),
  health: HealthStatus.optional(),
  requiresPruning: z.boolean().optional(),
});
export type ResourceStatus = z.infer<typeof ResourceStatus>;

export const ApplicationCondition = z.looseObject({
  type: z.string(),
  message: z.string(),
  lastTransitionTime: z.string().optional(),
});
export type ApplicationCondition = z.infer<typeof ApplicationCondition>;

export const RevisionHistory = z.looseObject({
  id: z.number(),
  revision: z.string().optional(),
  deployStartedAt: z.string().optional(),
  deployedAt: z.string(),
  initiatedBy: OperationInitiator.optional(),
  source: ApplicationSource.optional(),
  /** Multi-source: one per source instead of `revision`. */
  revisions: z.array(z.string()).nullish(),
  sources: z.array(ApplicationSource).nullish(),
});
export type RevisionHistory = z.infer<typeof RevisionHistory>;

/** Multi-source: `revisions` (one per source, in `spec.sources` order) instead of `revision`. */
export const SyncStatus = z.looseObject({
  status: SyncStatusCode,
  revision: z.string().optional(),
  revisions: z.array(z.string()).nullish(),
  comparedTo: z.unknown().optional(),
});
export type SyncStatus = z.infer<typeof SyncStatus>;

export const ApplicationStatus = z.looseObject({
  resources: z.array(ResourceStatus).optional(),
  sync: SyncStatus.optional(),
  health: HealthStatus.optional(),
  history: z.array(RevisionHistory).optional(),
  conditions: z.array(ApplicationCondition).optional(),
  reconciledAt: z.string().optional(),
  operationState: OperationState.optional(),
  sourceType: z.string().optional(),
  /** Multi-source: one per source ('' for a ref-only source), instead of `sourceType`. */
  sourceTypes: z.array(z.string()).optional(),
  summary: z.looseObject({ images: z.array(z.string()).optional(), externalURLs: z.array(z.string()).optional() }).optional(),
});
export type ApplicationStatus = z.infer<typeof ApplicationStatus>;

export const Application = z.looseObject({
  metadata: z.looseObject({
    name: z.string(),
    namespace: z.string().optional(),
    uid: z.string().optional(),
    resourceVersion: z.string().optional(),
    generation: z.number().optional(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  }),
  spec: z.looseObject({
    project: z.string().optional(),
    source: ApplicationSource.optional(),
    /** Multi-source Applications: replaces `source` when non-empty. */
    sources: z.array(ApplicationSource).nullish(),
    destination: z.looseObject({ server: z.string().optional(), namespace: z.string().optional(), name: z.string().optional() }),
    syncPolicy: z
      .looseObject({
        automated: z
          .looseObject({ prune: z.boolean().optional(), selfHeal: z.boolean().optional(), enabled: z.boolean().optional() })
          .nullish(),
        syncOptions: z.array(z.string()).optional(),
      })
      .optional(),
  }),
  status: ApplicationStatus.optional(),
  /** Absent or null once no operation is pending or running. */
  operation: Operation.nullish(),
});
export type Application = z.infer<typeof Application>;

export const ApplicationList = z.looseObject({
  metadata: z.looseObject({ resourceVersion: z.string().optional() }).optional(),
  items: z.array(Application).nullish(),
});
export type ApplicationList = z.infer<typeof ApplicationList>;

export const ResourceNode = z.looseObject({
  group: z.string().optional(),
  version: z.string().optional(),
  kind: z.string(),
  namespace: z.string().optional(),
  name: z.string(),
  uid: z.string().optional(),
  parentRefs: z
    .array(
      z.looseObject({
        group: z.string().optional(),
        kind: z.string(),
        namespace: z.string().optional(),
        name: z.string(),
        uid: z.string().optional(),
      }),
    )
    .optional(),
  images: z.array(z.string()).optional(),
  health: HealthStatus.optional(),
  resourceVersion: z.string().optional(),
  createdAt: z.string().optional(),
  info: z.array(z.looseObject({ name: z.string(), value: z.string() })).optional(),
});
export type ResourceNode = z.infer<typeof ResourceNode>;

export const ApplicationTree = z.looseObject({
  nodes: z.array(ResourceNode).nullish(),
  orphanedNodes: z.array(ResourceNode).nullish(),
  hosts: z.array(z.unknown()).nullish(),
});
export type ApplicationTree = z.infer<typeof ApplicationTree>;

/** `targetState` / `liveState` are JSON documents encoded as strings (or absent). */
export const ResourceDiff = z.looseObject({
  group: z.string().optional(),
  kind: z.string(),
  namespace: z.string().optional(),
  name: z.string(),
  targetState: z.string().optional(),
  liveState: z.string().optional(),
  normalizedLiveState: z.string().optional(),
  predictedLiveState: z.string().optional(),
  hook: z.boolean().optional(),
  modified: z.boolean().optional(),
});
export type ResourceDiff = z.infer<typeof ResourceDiff>;

export const ManagedResourcesResponse = z.looseObject({ items: z.array(ResourceDiff).nullish() });
export type ManagedResourcesResponse = z.infer<typeof ManagedResourcesResponse>;

/**
 * The sync request body, exactly the fields the contract says Flow Controller sends: `revision` for a
 * single-source app; for a multi-source one `revisions` with the 1-based `sourcePositions` they apply to (Argo
 * resolves every other source to its targetRevision, and ignores `revision`).
 */
export interface SyncRequestBody {
  revision?: string;
  revisions?: string[];
  sourcePositions?: number[];
  prune: boolean;
  dryRun: boolean;
  strategy: { hook: Record<string, never> };
  syncOptions: { items: string[] };
  infos: Info[];
}

/**
 * One sync window of an AppProject (`spec.syncWindows[]`, argo-cd `SyncWindow`). The application's syncwindows
 * endpoint shows only `kind`, `schedule`, `duration` and `manualSync`; the project (GET /api/v1/projects/{name})
 * has every field.
 */
export const SyncWindow = z.looseObject({
  kind: z.string().optional(),
  /** Five-field cron (minute hour day-of-month month day-of-week), when the window begins. */
  schedule: z.string().optional(),
  /** Go duration (`1h`, `30m`, `1h30m`): how long it stays open after each start. */
  duration: z.string().optional(),
  applications: z.array(z.string()).nullish(),
  namespaces: z.array(z.string()).nullish(),
  clusters: z.array(z.string()).nullish(),
  manualSync: z.boolean().optional(),
  timeZone: z.string().optional(),
  andOperator: z.boolean().optional(),
  description: z.string().optional(),
  syncOverrun: z.boolean().optional(),
});
export type SyncWindow = z.infer<typeof SyncWindow>;

/** GET /api/v1/applications/{name}/syncwindows (empty lists are omitted by Argo's JSON encoding). */
export const SyncWindowsResponse = z.looseObject({
  activeWindows: z.array(SyncWindow).nullish(),
  assignedWindows: z.array(SyncWindow).nullish(),
  canSync: z.boolean().nullish(),
});
export type SyncWindowsResponse = z.infer<typeof SyncWindowsResponse>;

/** GET /api/v1/projects/{name}: the AppProject, of which Flow Controller reads the sync windows. */
export const AppProject = z.looseObject({
  metadata: z.looseObject({ name: z.string() }),
  spec: z.looseObject({ syncWindows: z.array(SyncWindow).nullish() }).optional(),
});
export type AppProject = z.infer<typeof AppProject>;
