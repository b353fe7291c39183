// The workload an environment's `manifests` image mapping names for a service (notes: mapping-spec.md): the
// mapping resolves as groups[g].services[s] ?? groups[g].mapping ?? gitops.mapping; only a `manifests` mapping
// names a workload (`workload: { kind?, name? }`). Read defensively from the stored configuration, so this works
// with and without the mapping schema in domain/ (to be replaced by its resolver when that lands).

export interface MappedWorkload {
  kind?: string;
  name?: string;
}

function record(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

export function mappedWorkloadOf(gitops: unknown, group: string, service: string): MappedWorkload | undefined {
  const g = record(gitops);
  const groupCfg = record(record(g?.groups)?.[group]);
  const mapping = record(record(groupCfg?.services)?.[service]) ?? record(groupCfg?.mapping) ?? record(g?.mapping);
  if (mapping?.type !== 'manifests') return undefined;
  const workload = record(mapping.workload);
  if (!workload) return undefined;
  const out: MappedWorkload = {};
  if (typeof workload.kind === 'string') out.kind = workload.kind;
  if (typeof workload.name === 'string') out.name = workload.name;
  return out.kind === undefined && out.name === undefined ? undefined : out;
}
