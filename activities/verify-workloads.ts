// The verification of step "verify-images", through the Argo CD and Kubernetes clients only (no database), so it
// runs the same against the simulator in tests. For every application it finds each service's workload among the
// workloads Argo CD manages (status.resources), reads it and its Ready, non-terminating pods, and compares each
// container's running image with the descriptor (live-images.ts).
//
// Finding a service's workload (notes: mapping-spec.md), among the application's workloads of the descriptor's
// kind (or the kind a `manifests` mapping names): the workload a `manifests` mapping names; else the one named like
// the service; else the one labelled `app.kubernetes.io/name=<service>`; else the only workload of that kind.
// The release check: a workload whose pod template (or, failing that, the workload) carries
// `flow-controller.io/release-id` must carry this release's id; one that carries none (an existing chart that does
// not stamp it) is verified by its images alone, and the result says so.
import type { V1Pod } from '@kubernetes/client-node';
import type { ObservedResource } from '../integrations/argocd-observed.js';
import { type KubeClient, type Workload, WORKLOAD_KINDS, type WorkloadKind } from '../integrations/kube.js';
import type { Descriptor } from '../domain/descriptor.js';
import { RELEASE_ANNOTATION } from '../domain/environment.js';
import { type Expected, expectedImage, expectedOf, imageMatches } from './live-images.js';
import type { MappedWorkload } from './mapped-workload.js';

export const NAME_LABEL = 'app.kubernetes.io/name';

export interface ImageMismatch {
  application: string;
  workload: string;
  container: string;
  expected: string;
  running: string;
  pod?: string;
}

export interface VerifyApplicationsInput {
  /** Only its managed resources are read (the monitor passes its lean reads: activities/monitor-observe.ts). */
  argo: ApplicationResources;
  kube: KubeClient;
  project: string;
  /** Namespace of a resource Argo CD lists without one. */
  namespace: string;
  releaseId: string;
  descriptor: Descriptor;
  /** The Argo CD application of each descriptor group. */
  applications: { group: string; name: string }[];
  /** The workload a `manifests` mapping names for a service, if any (mapped-workload.ts). */
  mappedWorkload?: (group: string, service: string) => MappedWorkload | undefined;
}

/** What verifyApplications reads of an application: the resources Argo CD manages for it (any ArgoClient). */
export interface ApplicationResources {
  getApplication(name: string, opts: { project: string }): Promise<{ status?: { resources?: ObservedResource[] | undefined } | undefined }>;
}

export type FoundBy = 'mapping' | 'name' | 'label' | 'only-of-kind';

export interface VerifyApplicationsResult {
  mismatches: ImageMismatch[];
  verifiedContainers: number;
  pods: number;
  /** Each service's workload and how it was found. */
  workloads: { application: string; service: string; workload: string; by: FoundBy }[];
  /** `<application>/<workload>` whose pod template carries no release annotation: verified by images alone. */
  verifiedByImagesOnly: string[];
}

interface Candidate {
  kind: WorkloadKind;
  name: string;
  namespace: string;
}

type Lookup = { found: Candidate; by: FoundBy } | { problem: string };

/** Finds the workload of one service among an application's workloads; `read` fetches one (for its labels). */
export async function findWorkload(
  service: string,
  kind: string,
  candidates: readonly Candidate[],
  read: (c: Candidate) => Promise<Workload>,
  mapped?: MappedWorkload,
): Promise<Lookup> {
  const wantedKind = mapped?.kind ?? kind;
  const ofKind = candidates.filter((c) => c.kind === wantedKind);
  if (mapped?.name !== undefined) {
    const found = ofKind.find((c) => c.name === mapped.name);
    return found ? { found, by: 'mapping' } : { problem: `${wantedKind} ${mapped.name} (named by the image mapping)` };
  }
  const byName = ofKind.find((c) => c.name === service);
  if (byName) return { found: byName, by: 'name' };
  const labelled: Candidate[] = [];
  for (const c of ofKind) {
    if ((await read(c)).object.metadata?.labels?.[NAME_LABEL] === service) labelled.push(c);
  }
  if (labelled.length > 1) {
    return {
      problem: `one ${wantedKind} for ${service}, found several labelled ${NAME_LABEL}=${service}: ${labelled.map((c) => c.name).join(', ')}`,
    };
  }
  const [only] = labelled.length === 1 ? labelled : ofKind.length === 1 ? ofKind : [];
  if (only) return { found: only, by: labelled.length === 1 ? 'label' : 'only-of-kind' };
  return { problem: `${wantedKind} ${service}` };
}

function isReady(pod: V1Pod): boolean {
  if (pod.metadata?.deletionTimestamp) return false;
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** The release a workload says it runs: its pod template's annotation, else the workload's; undefined when unstamped. */
export function stampedRelease(workload: Workload): string | undefined {
  const template = (workload.object.spec as { template?: { metadata?: { annotations?: Record<string, string> } } } | undefined)?.template;
  return template?.metadata?.annotations?.[RELEASE_ANNOTATION] ?? workload.object.metadata?.annotations?.[RELEASE_ANNOTATION];
}

export async function verifyApplications(input: VerifyApplicationsInput): Promise<VerifyApplicationsResult> {
  const { argo, kube } = input;
  const result: VerifyApplicationsResult = { mismatches: [], verifiedContainers: 0, pods: 0, workloads: [], verifiedByImagesOnly: [] };
  for (const app of input.applications) {
    const argoApp = await argo.getApplication(app.name, { project: input.project });
    const candidates: Candidate[] = (argoApp.status?.resources ?? []).flatMap((r) =>
      (WORKLOAD_KINDS as readonly string[]).includes(r.kind)
        ? [{ kind: r.kind as WorkloadKind, name: r.name, namespace: r.namespace ?? input.namespace }]
        : [],
    );
    const cache = new Map<string, Promise<Workload>>();
    const read = (c: Candidate) => {
      const key = `${c.kind}/${c.namespace}/${c.name}`;
      let hit = cache.get(key);
      if (!hit) cache.set(key, (hit = kube.getWorkload(c.kind, c.namespace, c.name)));
      return hit;
    };
    for (const [service, want] of expectedOf(input.descriptor, app.group)) {
      if (want.kind === 'CronJob') continue; // no long-running pods to verify
      const lookup = await findWorkload(service, want.kind, candidates, read, input.mappedWorkload?.(app.group, service));
      if ('problem' in lookup) {
        result.mismatches.push({
          application: app.name,
          workload: service,
          container: '*',
          expected: lookup.problem,
          running: 'workload missing from the application',
        });
        continue;
      }
      result.workloads.push({ application: app.name, service, workload: lookup.found.name, by: lookup.by });
      await verifyWorkload(input, app.name, want, lookup.found, await read(lookup.found), result);
    }
  }
  return result;
}

async function verifyWorkload(
  input: VerifyApplicationsInput,
  application: string,
  want: Expected,
  c: Candidate,
  workload: Workload,
  result: VerifyApplicationsResult,
): Promise<void> {
  const stamped = stampedRelease(workload);
  if (stamped === undefined) {
    result.verifiedByImagesOnly.push(`${application}/${c.name}`);
  } else if (stamped !== input.releaseId) {
    // A workload rendered from another release (e.g. the branch moved on) is not this promotion's result.
    result.mismatches.push({
      application,
      workload: c.name,
      container: '*',
      expected: `release ${input.releaseId}`,
      running: `release ${stamped}`,
    });
    return;
  }
  const selector = workload.object.spec?.selector?.matchLabels ?? {};
  const labelSelector = Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const pods = (await input.kube.listPods(c.namespace, labelSelector)).filter(isReady);
  const desiredReplicas = workload.kind === 'DaemonSet' ? 1 : ((workload.object.spec as { replicas?: number } | undefined)?.replicas ?? 1);
  if (pods.length === 0 && desiredReplicas > 0) {
    result.mismatches.push({ application, workload: c.name, container: '*', expected: 'at least one Ready pod', running: 'no Ready pod' });
    return;
  }
  for (const pod of pods) {
    result.pods++;
    const statuses = new Map((pod.status?.containerStatuses ?? []).map((s) => [s.name, s]));
    for (const [cname, container] of want.containers) {
      const s = statuses.get(cname);
      const running = s ? { image: s.image, imageID: s.imageID } : undefined;
      if (running && imageMatches(container, running)) {
        result.verifiedContainers++;
        continue;
      }
      result.mismatches.push({
        application,
        workload: c.name,
        container: cname,
        expected: expectedImage(container),
        running: running
          ? container.tag.startsWith('sha256:')
            ? (running.imageID ?? running.image)
            : running.image
          : 'container not running',
        pod: pod.metadata?.name,
      });
    }
  }
}
