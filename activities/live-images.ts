// What a release expects to run and whether a running container runs it: the descriptor's workloads per group
// (expectedOf) and the exact image comparison (imageMatches) of the verify-images step. Pure.
import type { Descriptor } from '../domain/descriptor.js';
import { containerImageRef, formatImageRef, parseImageRef, sameRepository, type ImageRef } from '../domain/image-ref.js';

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

export function expectedImage(c: { repo: string; tag: string }): string {
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
