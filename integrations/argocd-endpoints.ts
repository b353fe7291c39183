// The endpoint classes of Argo CD calls, the `endpoint` label of the client's metrics (lib/metrics.ts): a fixed set
// derived from method and path, never an application's name or the raw path.
import type { ArgoEndpoint } from '../lib/metrics.js';

/**
 * The endpoint class of an Argo CD call, for metrics (a fixed set: never the application's name or the raw path).
 * Streams (`/api/v1/stream/…`) are one class whatever they watch.
 */
export function argoEndpointClass(method: string, path: string): ArgoEndpoint {
  const p = path.split('?')[0] ?? '';
  if (p.startsWith('/api/v1/stream/')) return 'stream';
  if (p === '/api/v1/session') return 'session.create';
  if (p === '/api/v1/applications') return 'application.list';
  if (p.startsWith('/api/v1/projects/')) return 'project.get';
  const app = /^\/api\/v1\/applications\/[^/]+(\/[a-z-]+)?$/.exec(p);
  if (!app) return 'other';
  const sub = app[1];
  if (sub === undefined) return 'application.get';
  if (sub === '/sync') return 'application.sync';
  if (sub === '/operation') return method === 'DELETE' ? 'application.terminate' : 'other';
  if (sub === '/resource-tree') return 'application.resource_tree';
  if (sub === '/managed-resources') return 'application.managed_resources';
  if (sub === '/syncwindows') return 'application.sync_windows';
  return 'other';
}
