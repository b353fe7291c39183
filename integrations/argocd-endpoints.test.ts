// The endpoint classes of Argo CD calls (metrics labels): every call the client makes has a fixed class, and no
// application name, project or query string reaches a label.
import { describe, expect, it } from 'vitest';
import { argoEndpointClass } from './argocd-endpoints.js';
import { ARGO_ENDPOINTS } from '../lib/metrics.js';

const CASES: Array<[string, string, string]> = [
  ['POST', '/api/v1/session', 'session.create'],
  ['GET', '/api/v1/applications?selector=team%3Dx', 'application.list'],
  ['GET', '/api/v1/applications/prod-core?refresh=normal', 'application.get'],
  ['POST', '/api/v1/applications/prod-core/sync', 'application.sync'],
  ['DELETE', '/api/v1/applications/prod-core/operation', 'application.terminate'],
  ['GET', '/api/v1/applications/prod-core/resource-tree', 'application.resource_tree'],
  ['GET', '/api/v1/applications/prod-core/managed-resources', 'application.managed_resources'],
  ['GET', '/api/v1/applications/prod-core/syncwindows?project=p', 'application.sync_windows'],
  ['GET', '/api/v1/projects/platform', 'project.get'],
  ['GET', '/api/v1/stream/applications?name=prod-core', 'stream'],
  ['GET', '/api/v1/applications/prod-core/events', 'other'],
  ['GET', '/api/v1/applications/a/b/c', 'other'],
  ['GET', '/api/version', 'other'],
];

describe('argoEndpointClass', () => {
  it.each(CASES)('%s %s → %s', (method, path, expected) => {
    expect(argoEndpointClass(method, path)).toBe(expected);
  });
  it('only returns the declared classes', () => {
    for (const [method, path] of CASES) expect(ARGO_ENDPOINTS).toContain(argoEndpointClass(method, path));
  });
});
