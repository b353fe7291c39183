// Argo CD health of the simulated cluster's live workloads and pods, after gitops-engine's health checks for
// Deployments, StatefulSets and DaemonSets (the messages are Argo's), so the convergence rules are exercised
// against the same status and message texts a real Argo CD reports.
import { type LivePod, type LiveWorkload, podCounts } from './cluster.js';

export interface ArgoHealth {
  status: 'Healthy' | 'Progressing' | 'Degraded' | 'Suspended' | 'Missing' | 'Unknown';
  message?: string;
}

/** Argo CD health of a live workload, after gitops-engine's health checks. */
export function workloadHealth(w: LiveWorkload | undefined): ArgoHealth {
  if (!w) return { status: 'Missing' };
  const { active, updated, ready } = podCounts(w);
  switch (w.kind) {
    case 'Deployment':
      if (w.generation > w.observedGeneration) {
        return {
          status: 'Progressing',
          message: 'Waiting for rollout to finish: observed deployment generation less than desired generation',
        };
      }
      if (w.progressDeadlineExceeded) return { status: 'Degraded', message: `Deployment "${w.name}" exceeded its progress deadline` };
      if (updated.length < w.replicas) {
        return {
          status: 'Progressing',
          message: `Waiting for rollout to finish: ${updated.length} out of ${w.replicas} new replicas have been updated...`,
        };
      }
      if (active.length > updated.length) {
        return {
          status: 'Progressing',
          message: `Waiting for rollout to finish: ${active.length - updated.length} old replicas are pending termination...`,
        };
      }
      if (ready.length < updated.length) {
        return {
          status: 'Progressing',
          message: `Waiting for rollout to finish: ${ready.length} of ${updated.length} updated replicas are available...`,
        };
      }
      return { status: 'Healthy' };
    case 'StatefulSet':
      if (w.observedGeneration === 0 || w.generation > w.observedGeneration) {
        return { status: 'Progressing', message: 'Waiting for statefulset spec update to be observed...' };
      }
      if (ready.length < w.replicas)
        return { status: 'Progressing', message: `Waiting for ${w.replicas - ready.length} pods to be ready...` };
      if (w.currentRevisionHash !== w.templateHash) {
        return {
          status: 'Progressing',
          message: `waiting for statefulset rolling update to complete ${updated.length} pods at revision ${w.name}-${w.templateHash}...`,
        };
      }
      return {
        status: 'Healthy',
        message: `statefulset rolling update complete ${w.replicas} pods at revision ${w.name}-${w.templateHash}...`,
      };
    case 'DaemonSet':
      if (w.generation > w.observedGeneration) {
        return {
          status: 'Progressing',
          message: 'Waiting for rollout to finish: observed daemon set generation less than desired generation',
        };
      }
      if (updated.length < 1 || active.length > updated.length) {
        return {
          status: 'Progressing',
          message: `Waiting for daemon set "${w.name}" rollout to finish: ${updated.length} out of 1 new pods have been updated...`,
        };
      }
      if (ready.length < 1)
        return {
          status: 'Progressing',
          message: `Waiting for daemon set "${w.name}" rollout to finish: ${ready.length} of 1 updated pods are available...`,
        };
      return { status: 'Healthy' };
    case 'CronJob':
      return { status: 'Healthy' };
    default: {
      const never: never = w.kind;
      throw new Error(`unknown kind ${String(never)}`);
    }
  }
}

export /** Argo health of a pod node in the resource tree. */
function podHealth(pod: LivePod): ArgoHealth {
  if (pod.ready) return { status: 'Healthy' };
  if (pod.waiting?.reason === 'ImagePullBackOff') return { status: 'Degraded', message: pod.waiting.message };
  return { status: 'Progressing' };
}
