// The live view of an environment: Argo CD status per application, correlated with the release the
// environment should run through the release-id annotation on the application's workloads.
import type { EnvironmentRow } from '../../db/environments.js';
import { RELEASE_ANNOTATION } from '../../domain/environment.js';
import type { KubeClient } from '../../integrations/kube.js';
import type { TargetClients } from '../../integrations/targets.js';
import type { LiveApp } from '../schemas.js';

/** Live Argo CD status per application, correlated with the release the environment should run. */
export async function liveStatus(
  targets: TargetClients,
  env: EnvironmentRow,
  applications: Array<{ group: string; name: string }>,
): Promise<LiveApp[]> {
  if (applications.length === 0) return [];
  let argo;
  try {
    argo = targets.argoFor(env);
  } catch (err) {
    return applications.map((app) => ({ ...unknownApp(app), error: (err as Error).message }));
  }
  let kube: KubeClient | undefined;
  try {
    kube = targets.kubeFor(env);
  } catch {
    kube = undefined; // live status without release correlation
  }
  return Promise.all(
    applications.map(async ({ group, name }) => {
      try {
        const app = await argo.getApplication(name, { project: env.argocd.project });
        // The release each workload was rendered from (chart convention: the release-id annotation).
        const releaseIds = new Set<string>();
        if (kube) {
          const workloads = await kube.listWorkloads(env.kubernetes.namespace, `app.kubernetes.io/instance=${name}`).catch(() => []);
          for (const w of workloads) {
            const id = w.object.metadata?.annotations?.[RELEASE_ANNOTATION];
            if (id) releaseIds.add(id);
          }
        }
        const releaseId = releaseIds.size === 1 ? ([...releaseIds][0] ?? null) : null;
        return {
          name,
          group,
          sync: app.status?.sync?.status ?? null,
          health: app.status?.health?.status ?? null,
          revision: app.status?.sync?.revision ?? null,
          releaseId,
          matchesCurrentRelease: releaseId === null ? null : releaseId === env.currentReleaseId,
        };
      } catch (err) {
        return { ...unknownApp({ group, name }), error: (err as Error).message };
      }
    }),
  );
}

function unknownApp(app: { group: string; name: string }): LiveApp {
  return { name: app.name, group: app.group, sync: null, health: null, revision: null, releaseId: null, matchesCurrentRelease: null };
}
