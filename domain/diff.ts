// Component-level difference between two releases: services added/removed, workload kinds changed,
// containers added/removed, image repository or tag changed per container, and acknowledged overrides
// gained or dropped. Used by GET /v2/releases/:a/diff/:b and later by the promotion history and UI.
// Pure and free of Node built-ins (workflow code may import it).
import { z } from 'zod';
import type { Descriptor, DescriptorWorkload, WorkloadKind } from './descriptor.js';
import { joinPath } from './problems.js';
import type { Override } from './validate.js';

const Change = z.object({ from: z.string(), to: z.string() });

export const DiffEntry = z.discriminatedUnion('type', [
  z.object({ type: z.literal('service-added'), path: z.string(), group: z.string(), service: z.string(), kind: z.string() }),
  z.object({ type: z.literal('service-removed'), path: z.string(), group: z.string(), service: z.string(), kind: z.string() }),
  z.object({ type: z.literal('workload-kind-changed'), path: z.string(), group: z.string(), service: z.string(), kind: Change }),
  z.object({
    type: z.literal('container-added'),
    path: z.string(),
    group: z.string(),
    service: z.string(),
    container: z.string(),
    repo: z.string(),
    tag: z.string(),
  }),
  z.object({
    type: z.literal('container-removed'),
    path: z.string(),
    group: z.string(),
    service: z.string(),
    container: z.string(),
    repo: z.string(),
    tag: z.string(),
  }),
  z.object({
    type: z.literal('image-changed'),
    path: z.string(),
    group: z.string(),
    service: z.string(),
    container: z.string(),
    repo: Change.nullable(),
    tag: Change.nullable(),
  }),
]);
export type DiffEntry = z.infer<typeof DiffEntry>;

export const OverrideChange = z.object({
  path: z.string(),
  change: z.enum(['added', 'removed', 'changed']),
  from: z.object({ templateValue: z.string(), value: z.string() }).nullable(),
  to: z.object({ templateValue: z.string(), value: z.string() }).nullable(),
});
export type OverrideChange = z.infer<typeof OverrideChange>;

export const ReleaseDiff = z.object({
  identical: z.boolean(),
  changes: z.array(DiffEntry),
  overrides: z.array(OverrideChange),
});
export type ReleaseDiff = z.infer<typeof ReleaseDiff>;

export interface DiffSide {
  descriptor: Descriptor;
  overrides: readonly Override[];
}

function only(service: Record<string, DescriptorWorkload | undefined>): [WorkloadKind, DescriptorWorkload] | undefined {
  for (const [kind, w] of Object.entries(service)) if (w) return [kind as WorkloadKind, w];
  return undefined;
}

function services(d: Descriptor): Map<string, { group: string; service: string; kind: WorkloadKind; workload: DescriptorWorkload }> {
  const out = new Map<string, { group: string; service: string; kind: WorkloadKind; workload: DescriptorWorkload }>();
  for (const [group, svcs] of Object.entries(d)) {
    for (const [service, spec] of Object.entries(svcs)) {
      const w = only(spec);
      if (w) out.set(joinPath(group, service), { group, service, kind: w[0], workload: w[1] });
    }
  }
  return out;
}

const byPath = <T extends { path: string }>(a: T, b: T) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/** What changes going from release `a` to release `b`. */
export function diffReleases(a: DiffSide, b: DiffSide): ReleaseDiff {
  const changes: DiffEntry[] = [];
  const from = services(a.descriptor);
  const to = services(b.descriptor);
  for (const [path, s] of from) {
    if (!to.has(path)) changes.push({ type: 'service-removed', path, group: s.group, service: s.service, kind: s.kind });
  }
  for (const [path, t] of to) {
    const s = from.get(path);
    if (!s) {
      changes.push({ type: 'service-added', path, group: t.group, service: t.service, kind: t.kind });
      continue;
    }
    if (s.kind !== t.kind) {
      changes.push({ type: 'workload-kind-changed', path, group: t.group, service: t.service, kind: { from: s.kind, to: t.kind } });
    }
    const base = { group: t.group, service: t.service };
    const before = new Map(Object.entries(s.workload.containers));
    const after = new Map(Object.entries(t.workload.containers));
    for (const [name, c] of before) {
      if (!after.has(name))
        changes.push({
          type: 'container-removed',
          path: joinPath(path, 'containers', name),
          ...base,
          container: name,
          repo: c.repo,
          tag: c.tag,
        });
    }
    for (const [name, c] of after) {
      const old = before.get(name);
      const cpath = joinPath(path, 'containers', name);
      if (!old) {
        changes.push({ type: 'container-added', path: cpath, ...base, container: name, repo: c.repo, tag: c.tag });
      } else if (old.repo !== c.repo || old.tag !== c.tag) {
        changes.push({
          type: 'image-changed',
          path: cpath,
          ...base,
          container: name,
          repo: old.repo === c.repo ? null : { from: old.repo, to: c.repo },
          tag: old.tag === c.tag ? null : { from: old.tag, to: c.tag },
        });
      }
    }
  }
  const oa = new Map(a.overrides.map((o) => [o.path, o]));
  const ob = new Map(b.overrides.map((o) => [o.path, o]));
  const overrides: OverrideChange[] = [];
  const strip = (o: Override) => ({ templateValue: o.templateValue, value: o.value });
  for (const [path, o] of oa) if (!ob.has(path)) overrides.push({ path, change: 'removed', from: strip(o), to: null });
  for (const [path, o] of ob) {
    const old = oa.get(path);
    if (!old) overrides.push({ path, change: 'added', from: null, to: strip(o) });
    else if (old.value !== o.value || old.templateValue !== o.templateValue)
      overrides.push({ path, change: 'changed', from: strip(old), to: strip(o) });
  }
  changes.sort(byPath);
  overrides.sort(byPath);
  return { identical: changes.length === 0 && overrides.length === 0, changes, overrides };
}
