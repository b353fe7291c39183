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
    {
      name: 'tag: the same reference behind a registry host',
      expected: byTag,
      running: { image: 'registry.example.com:5000/org/api:1.4.2' },
      matches: true,
    },
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
          containers: { api: { repo: 'org/api', tag: '1.4.2' }, sidecar: { repo: 'org/envoy', tag: 'v1.30' } },
        },
        worker: { group: 'core', service: 'worker', kind: 'StatefulSet', containers: { worker: { repo: 'org/worker', tag: DIGEST } } },
      },
    },
    {
      name: 'another group only sees its own services',
      group: 'platform',
      expected: {
        metrics: { group: 'platform', service: 'metrics', kind: 'DaemonSet', containers: { agent: { repo: 'org/agent', tag: '2.1.0' } } },
      },
    },
    { name: 'a group the descriptor does not have expects nothing', group: 'infra', expected: {} },
  ];
  it.each(cases)('$name', ({ group, expected }) => {
    expect(plain(expectedOf(descriptor, group))).toEqual(expected);
  });
});
