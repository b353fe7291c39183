// The lean read of an Argo CD Application for the continuous monitor (activities/monitor-observe.ts): only the
// fields it judges and verifies with — sync and health status, the health message and the managed resources'
// kind, name and namespace. The zod schema of the whole Application (argocd-schema.ts) walks the spec, the
// operation, the operation state's per-resource results and the revision history on every read, which made it
// most of an observation's parse cost; the promotion steps keep that full parse (argocd.ts getApplication).
// Same rules as the full schema where the fields overlap (an unknown sync or health status is refused), and
// unknown fields are dropped, not kept.
import { z } from 'zod';
import { HealthStatusCode, SyncStatusCode } from './argocd-schema.js';

export const ObservedResource = z.object({
  kind: z.string(),
  name: z.string(),
  namespace: z.string().optional(),
});
export type ObservedResource = z.infer<typeof ObservedResource>;

export const ObservedApplication = z.object({
  // The namespace and project tell a stream's event for this application from another's of the same name
  // (integrations/argocd-project-watch.ts: apps in any namespace share a project's stream).
  metadata: z.object({ name: z.string(), namespace: z.string().optional() }),
  spec: z.object({ project: z.string().optional() }).optional(),
  status: z
    .object({
      sync: z.object({ status: SyncStatusCode }).optional(),
      health: z.object({ status: HealthStatusCode.optional(), message: z.string().optional() }).optional(),
      resources: z.array(ObservedResource).optional(),
    })
    .optional(),
});
export type ObservedApplication = z.infer<typeof ObservedApplication>;
