// Table-driven checks of verify-images' pure pieces: which running container matches the release, and what
// the descriptor expects of one group.
import { describe, expect, it } from 'vitest';
import type { Descriptor } from '../domain/descriptor.js';
import { expectedOf, imageMatches } from './verify-images.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const OTHER_DIGEST = `sha256:${'b'.repeat(64)}`;

describe('imageMatches', () => {
  const byTag = { repo: 'org/api', tag: '1.4.2' };
  const byDigest = { repo: 'org/api', tag: DIGEST };
  const cases: Array<{
    name: string;
    expected: { repo: string; tag: string };
    running: { image: string; imageID?: string };
    matches: boolean;
  }> = [
    { name: 'tag: the same reference', expected: byTag, running: { image: 'org/api:1.4.2' }, matches: true },
    { name: 'tag: the same reference, fully qualified', expected: byTag, running: { image: 'docker.io/org/api:1.4.2' }, matches: true },
    {
      name: 'tag: the same reference on index.docker.io',
      expected: byTag,
      running: { image: 'index.docker.io/org/api:1.4.2' },
      matches: true,
    },
    {
      name: 'tag: the same path and tag on another registry is another image (probe B)',
      expected: byTag,
      running: { image: 'attacker.example/org/api:1.4.2' },
      matches: false,
    },
    {
      name: 'tag: the same path and tag on a registry with a port is another image',
      expected: byTag,
      running: { image: 'registry.example.com:5000/org/api:1.4.2' },
      matches: false,
    },
    {
      name: 'tag: a release naming its registry matches only that registry',
      expected: { repo: 'registry.example.com:5000/org/api', tag: '1.4.2' },
      running: { image: 'registry.example.com:5000/org/api:1.4.2' },
      matches: true,
    },
    {
      name: 'tag: a release naming its registry does not match Docker Hub',
      expected: { repo: 'registry.example.com:5000/org/api', tag: '1.4.2' },
      running: { image: 'org/api:1.4.2' },
      matches: false,
    },
    {
      name: 'tag: a one-component name is library/ on docker.io',
      expected: { repo: 'nginx', tag: '1.27' },
      running: { image: 'docker.io/library/nginx:1.27' },
      matches: true,
    },
    {
      name: 'tag: the same tag with a digest next to it',
      expected: byTag,
      running: { image: `org/api:1.4.2@${OTHER_DIGEST}` },
      matches: true,
    },
    {
      name: 'tag: an untagged reference is latest',
      expected: { repo: 'org/api', tag: 'latest' },
      running: { image: 'org/api' },
      matches: true,
    },
    { name: 'tag: an untagged reference is not 1.4.2', expected: byTag, running: { image: 'org/api' }, matches: false },
    { name: 'tag: an upper-case repository is not a reference', expected: byTag, running: { image: 'ORG/api:1.4.2' }, matches: false },
    { name: 'tag: garbage', expected: byTag, running: { image: 'org/api:1.4.2 ' }, matches: false },
    {
      name: 'tag: the imageID is not consulted',
      expected: byTag,
      running: { image: 'org/api:1.4.2', imageID: `docker-pullable://org/api@${OTHER_DIGEST}` },
      matches: true,
    },
    { name: 'tag: another tag', expected: byTag, running: { image: 'org/api:1.4.3' }, matches: false },
    { name: 'tag: a longer tag with the same prefix', expected: byTag, running: { image: 'org/api:1.4.20' }, matches: false },
    { name: 'tag: another repository ending in the same name', expected: byTag, running: { image: 'xorg/api:1.4.2' }, matches: false },
    { name: 'tag: the same tag of another repository', expected: byTag, running: { image: 'org/web:1.4.2' }, matches: false },
    {
      name: 'digest: the imageID carries the digest',
      expected: byDigest,
      running: { image: 'org/api:1.4.2', imageID: `docker-pullable://org/api@${DIGEST}` },
      matches: true,
    },
    {
      name: 'digest: imageID behind a registry host',
      expected: byDigest,
      running: { image: 'org/api:1.4.2', imageID: `docker.io/org/api@${DIGEST}` },
      matches: true,
    },
    {
      name: 'digest: no imageID, the image reference is by digest',
      expected: byDigest,
      running: { image: `org/api@${DIGEST}` },
      matches: true,
    },
    {
      name: 'digest: the imageID on another registry (probe B)',
      expected: byDigest,
      running: { image: 'org/api:1.4.2', imageID: `docker-pullable://attacker.example/org/api@${DIGEST}` },
      matches: false,
    },
    {
      name: 'digest: an imageID of a repository that only ends with the name',
      expected: byDigest,
      running: { image: 'xorg/api:1.4.2', imageID: `docker-pullable://xorg/api@${DIGEST}` },
      matches: false,
    },
    {
      name: 'digest: tag and digest in the image reference, a bare imageID',
      expected: byDigest,
      running: { image: `org/api:1.2@${DIGEST}`, imageID: DIGEST },
      matches: true,
    },
    {
      name: 'digest: tag and digest in the image reference, no imageID',
      expected: byDigest,
      running: { image: `org/api:1.2@${DIGEST}` },
      matches: true,
    },
    {
      name: 'digest: the digest in the image reference on another registry',
      expected: byDigest,
      running: { image: `attacker.example/org/api:1.2@${DIGEST}` },
      matches: false,
    },
    {
      name: 'digest: another digest',
      expected: byDigest,
      running: { image: 'org/api:1.4.2', imageID: `docker-pullable://org/api@${OTHER_DIGEST}` },
      matches: false,
    },
    {
      name: 'digest: the same digest of another repository',
      expected: byDigest,
      running: { image: 'org/web:1', imageID: `docker-pullable://org/web@${DIGEST}` },
      matches: false,
    },
    {
      name: 'digest: no imageID and a tag reference proves nothing',
      expected: byDigest,
      running: { image: 'org/api:1.4.2' },
      matches: false,
    },
    {
      name: 'digest: an imageID without a repository digest proves nothing',
      expected: byDigest,
      running: { image: 'org/api:1.4.2', imageID: DIGEST },
      matches: false,
    },
  ];
  it.each(cases)('$name', ({ expected, running, matches }) => {
    expect(imageMatches(expected, running)).toBe(matches);
  });
});

describe('expectedOf', () => {
  const descriptor: Descriptor = {
    core: {
      api: { Deployment: { containers: { api: { repo: 'org/api', tag: '1.4.2' }, sidecar: { repo: 'org/envoy', tag: 'v1.30' } } } },
      worker: { StatefulSet: { containers: { worker: { repo: 'org/worker', tag: DIGEST } } } },
      absent: { Deployment: undefined },
    },
    platform: { metrics: { DaemonSet: { containers: { agent: { repo: 'org/agent', tag: '2.1.0' } } } } },
  };
  /** The map as plain data, so a case states exactly what is expected. */
  const plain = (m: ReturnType<typeof expectedOf>) =>
    Object.fromEntries([...m].map(([service, e]) => [service, { ...e, containers: Object.fromEntries(e.containers) }]));
  const cases: Array<{ name: string; group: string; expected: Record<string, unknown> }> = [
    {
      name: 'every service of the group with its kind and containers; a kind without a workload is skipped',
      group: 'core',
      expected: {
        api: {
          group: 'core',
          service: 'api',
          kind: 'Deployment',
          containers: {
            api: { repo: 'org/api', tag: '1.4.2', image: 'docker.io/org/api:1.4.2' },
            sidecar: { repo: 'org/envoy', tag: 'v1.30', image: 'docker.io/org/envoy:v1.30' },
          },
        },
        worker: {
          group: 'core',
          service: 'worker',
          kind: 'StatefulSet',
          containers: { worker: { repo: 'org/worker', tag: DIGEST, image: `docker.io/org/worker@${DIGEST}` } },
        },
      },
    },
    {
      name: 'another group only sees its own services',
      group: 'platform',
      expected: {
        metrics: {
          group: 'platform',
          service: 'metrics',
          kind: 'DaemonSet',
          containers: { agent: { repo: 'org/agent', tag: '2.1.0', image: 'docker.io/org/agent:2.1.0' } },
        },
      },
    },
    { name: 'a group the descriptor does not have expects nothing', group: 'infra', expected: {} },
  ];
  it.each(cases)('$name', ({ group, expected }) => {
    expect(plain(expectedOf(descriptor, group))).toEqual(expected);
  });
});
