// Step "verify-images": proves every cluster runs exactly the release. For every application it takes the
// workloads from Argo CD's status.resources, reads them and their Ready, non-terminating pods through the
// Kubernetes API, and compares each container's running image (the imageID digest when the descriptor
// pins a digest, else the image reference) with the descriptor. Any difference fails the step with a
// per-container list of expected vs running.
import { ApplicationFailure } from '@temporalio/activity';
import type { V1Pod } from '@kubernetes/client-node';
import type { ActivityDeps } from './deps.js';
import { loadContext, recordedStep, type StepOutcome } from './promotion-context.js';
import { onCluster, targetApplications } from './promotion-targets.js';
import { WORKLOAD_KINDS, type WorkloadKind } from '../integrations/kube.js';
import type { Descriptor } from '../domain/descriptor.js';
import { RELEASE_ANNOTATION } from '../domain/environment.js';
import { FAILURE, STEP } from '../domain/promotion.js';
import { containerImageRef, formatImageRef, parseImageRef, sameRepository, type ImageRef } from '../domain/image-ref.js';

export interface VerifyImagesInput {
  deploymentId: number;
  sha: string;
}
export interface ImageMismatch {
  application: string;
  workload: string;
  container: string;
  expected: string;
  running: string;
  pod?: string;
}
export interface VerifyImagesResult extends StepOutcome {
  verifiedContainers: number;
  pods: number;
}

export interface ExpectedContainer {
  repo: string;
  tag: string;
  /** The normalized reference (`docker.io/org/api:1.4.2`), or undefined when the descriptor's is not one. */
  image: string | undefined;
}

export interface Expected {
  group: string;
  service: string;
  kind: string;
  containers: Map<string, ExpectedContainer>;
}

/** The descriptor's workloads of one group, by service name (what verify-images expects to find running). */
export function expectedOf(descriptor: Descriptor, group: string): Map<string, Expected> {
  const out = new Map<string, Expected>();
  for (const [service, kinds] of Object.entries(descriptor[group] ?? {})) {
    for (const [kind, workload] of Object.entries(kinds)) {
      if (!workload) continue;
      const containers = new Map<string, ExpectedContainer>();
      for (const [name, c] of Object.entries(workload.containers)) {
        const ref = containerImageRef(c);
        containers.set(name, { repo: c.repo, tag: c.tag, image: ref ? formatImageRef(ref) : undefined });
      }
      out.set(service, { group, service, kind, containers });
    }
  }
  return out;
}

function expectedImage(c: { repo: string; tag: string }): string {
  return c.tag.startsWith('sha256:') ? `${c.repo}@${c.tag}` : `${c.repo}:${c.tag}`;
}

/** A container status' imageID as a reference: the runtime's scheme prefix removed (`docker-pullable://`). */
function imageIdRef(imageID: string | undefined): ImageRef | undefined {
  if (imageID === undefined || imageID === '') return undefined;
  return parseImageRef(imageID.replace(/^[a-z][a-z0-9+.-]*:\/\//, ''));
}

/**
 * Does a running container run the release's image? Both sides are normalized by the OCI reference grammar
 * (domain/image-ref.ts) and compared exactly: registry, repository path, and the tag or digest. Another
 * registry host is another image (`attacker.example/org/api:1.2` is not `org/api:1.2`, audit finding 19).
 * Digest-pinned: the imageID's repository digest proves it; without one, a reference by digest in the image
 * field does (`org/api:1.2@sha256:…`: the kubelet pulls the digest). Tag-pinned: the image reference's
 * repository and tag; the imageID is not consulted, and a digest next to the same tag is accepted (only the
 * repository's owner can make that tag and digest differ).
 */
export function imageMatches(expected: { repo: string; tag: string }, running: { image: string; imageID?: string }): boolean {
  const want = containerImageRef(expected);
  if (!want) return false;
  if (want.digest !== undefined) {
    const fromId = imageIdRef(running.imageID);
    const proof = fromId?.digest !== undefined ? fromId : parseImageRef(running.image);
    return proof !== undefined && proof.digest === want.digest && sameRepository(proof, want);
  }
  const ref = parseImageRef(running.image);
  return ref !== undefined && sameRepository(ref, want) && ref.tag === want.tag;
}

function isReady(pod: V1Pod): boolean {
  if (pod.metadata?.deletionTimestamp) return false;
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** ` on clusters eu-1, eu-2` when the environment spans several, else nothing. */
function onClusters(apps: ReadonlyArray<{ target: { name: string; several: boolean } }>): string {
  const names = [...new Set(apps.map((a) => a.target.name))];
  return apps[0]?.target.several ? ` on clusters ${names.join(', ')}` : '';
}

export function createVerifyImages(deps: ActivityDeps) {
  return {
    async verifyImages(input: VerifyImagesInput): Promise<VerifyImagesResult> {
      return recordedStep(deps, { deploymentId: input.deploymentId, step: STEP.verifyImages }, async () => {
        const ctx = await loadContext(deps, input.deploymentId);
        // Every cluster: each application's workloads are read from the Kubernetes API of its own cluster.
        const appRefs = await targetApplications(deps, ctx);
        const mismatches: ImageMismatch[] = [];
        let verified = 0;
        let podCount = 0;
        for (const { target, ...ref } of appRefs) {
          const app = { ...ref, name: ref.label }; // mismatches name the application as the steps do (`<cluster>/<app>`)
          const argo = target.argo();
          const kube = target.kube();
          const expected = expectedOf(ctx.release.descriptor, app.group);
          const argoApp = await onCluster(target, () => argo.getApplication(ref.name, { project: target.argocd.project }));
          const resources = (argoApp.status?.resources ?? []).filter((r) => (WORKLOAD_KINDS as readonly string[]).includes(r.kind));
          const seen = new Set<string>();
          for (const r of resources) {
            const want = expected.get(r.name);
            if (!want) continue; // not part of the descriptor (e.g. a workload managed elsewhere in the chart)
            seen.add(r.name);
            const namespace = r.namespace ?? target.kubernetes.namespace;
            const workload = await onCluster(target, () => kube.getWorkload(r.kind as WorkloadKind, namespace, r.name));
            // The chart convention (docs/gitops-layout.md) stamps the release on every workload: a workload
            // rendered from another release (e.g. the branch moved on) is not this promotion's result.
            const stamped = workload.object.metadata?.annotations?.[RELEASE_ANNOTATION];
            if (stamped !== undefined && stamped !== ctx.release.id) {
              mismatches.push({
                application: app.name,
                workload: r.name,
                container: '*',
                expected: `release ${ctx.release.id}`,
                running: `release ${stamped}`,
              });
              continue;
            }
            const selector = workload.object.spec?.selector?.matchLabels ?? {};
            const labelSelector = Object.entries(selector)
              .map(([k, v]) => `${k}=${v}`)
              .join(',');
            const pods = (await onCluster(target, () => kube.listPods(namespace, labelSelector))).filter(isReady);
            const desiredReplicas =
              workload.kind === 'DaemonSet' ? 1 : ((workload.object.spec as { replicas?: number } | undefined)?.replicas ?? 1);
            if (pods.length === 0 && desiredReplicas > 0) {
              mismatches.push({
                application: app.name,
                workload: r.name,
                container: '*',
                expected: 'at least one Ready pod',
                running: 'no Ready pod',
              });
              continue;
            }
            for (const pod of pods) {
              podCount++;
              const statuses = new Map((pod.status?.containerStatuses ?? []).map((s) => [s.name, s]));
              for (const [cname, c] of want.containers) {
                const s = statuses.get(cname);
                const running = s ? { image: s.image, imageID: s.imageID } : undefined;
                if (!running || !imageMatches(c, running)) {
                  mismatches.push({
                    application: app.name,
                    workload: r.name,
                    container: cname,
                    expected: expectedImage(c),
                    running: running
                      ? c.tag.startsWith('sha256:')
                        ? (running.imageID ?? running.image)
                        : running.image
                      : 'container not running',
                    pod: pod.metadata?.name,
                  });
                } else {
                  verified++;
                }
              }
            }
          }
          for (const [service, want] of expected) {
            if (want.kind === 'CronJob' || seen.has(service)) continue;
            mismatches.push({
              application: app.name,
              workload: service,
              container: '*',
              expected: `${want.kind} ${service}`,
              running: 'workload missing from the application',
            });
          }
        }
        if (mismatches.length > 0) {
          const lines = mismatches.map(
            (m) =>
              `${m.application}/${m.workload}/${m.container}: expected ${m.expected}, running ${m.running}${m.pod ? ` (pod ${m.pod})` : ''}`,
          );
          throw ApplicationFailure.nonRetryable(`live images differ from the release: ${lines.join('; ')}`, FAILURE.imageMismatch, {
            mismatches,
          });
        }
        return {
          status: 'succeeded' as const,
          message: `${verified} container(s) in ${podCount} Ready pod(s) run exactly the release's images${onClusters(appRefs)}`,
          observation: { verifiedContainers: verified, pods: podCount },
          verifiedContainers: verified,
          pods: podCount,
        };
      });
    },
  };
}
