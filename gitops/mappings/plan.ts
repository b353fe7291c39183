// Which files a release writes in an environment: every service of the descriptor is resolved to its image
// mapping (domain/image-mapping.ts: per service, per group, environment default, else flow-workloads on
// `gitops.pathPattern`) and its file; services that share a file are edited together. The plan is what the render
// step reads, the commit step writes, the preflight checks — and, as patterns, what a promotion of the
// environment may touch at all (mappedPathMatcher, the ownership check of compensation). Pure.
import { NAME_RE, WORKLOAD_KINDS, type Descriptor, type DescriptorService, type WorkloadKind } from '../../domain/descriptor.js';
import { DEFAULT_PATH_PATTERN } from '../../domain/environment.js';
import {
  expandFile,
  fileTemplateOf,
  resolveMapping,
  type ImageMapping,
  type ImageMappingType,
  type MappingSettings,
} from '../../domain/image-mapping.js';
import { ValuesRenderError } from '../errors.js';
import { compare, type MappedContainer, type MappedService } from './types.js';

export interface PlannedService extends MappedService<ImageMapping> {
  /** The service exactly as in the descriptor (flow-workloads writes it whole). */
  spec: DescriptorService;
}

export interface FilePlan {
  path: string;
  type: ImageMappingType;
  /** The group of the file's first service (for flow-workloads: the one group the file belongs to). */
  group: string;
  /** In group, then service order. */
  services: PlannedService[];
}

export interface PlanInput extends MappingSettings {
  environment: string;
  descriptor: Descriptor;
}

const KIND_SET: ReadonlySet<string> = new Set(WORKLOAD_KINDS);

/** The one workload kind of a service and its containers; a render error otherwise. */
export function workloadOf(service: DescriptorService, where: string): { kind: WorkloadKind; containers: Record<string, MappedContainer> } {
  const kinds = Object.keys(service).filter((k) => KIND_SET.has(k)) as WorkloadKind[];
  const kind = kinds[0];
  if (kinds.length !== 1 || kind === undefined) {
    throw new ValuesRenderError(`${where}: a service needs exactly one workload kind, found ${kinds.length}`);
  }
  const workload = service[kind];
  if (!workload || Object.keys(workload.containers).length === 0) {
    throw new ValuesRenderError(`${where}: a workload needs at least one container`);
  }
  return { kind, containers: workload.containers };
}

/** A repository-relative, normalized path outside `.git`; else a render error naming it. */
export function checkedPath(path: string, what = 'values path'): string {
  const parts = path.split('/');
  if (path.startsWith('/') || path.includes('\\') || parts.some((p) => p === '' || p === '.' || p === '..') || parts[0] === '.git') {
    throw new ValuesRenderError(`${what} "${path}" must be a normalized path inside the repository`);
  }
  return path;
}

export function planEnvironment(input: PlanInput): FilePlan[] {
  if (!NAME_RE.test(input.environment)) throw new ValuesRenderError(`environment name "${input.environment}" is not a DNS label`);
  const plans = new Map<string, FilePlan>();
  for (const group of Object.keys(input.descriptor).sort(compare)) {
    const services = input.descriptor[group];
    if (!NAME_RE.test(group) || services === undefined) throw new ValuesRenderError(`group name "${group}" is not a DNS label`);
    for (const service of Object.keys(services).sort(compare)) {
      const spec = services[service];
      if (!NAME_RE.test(service) || spec === undefined) {
        throw new ValuesRenderError(`${input.environment}/${group}: service name "${service}" is not a DNS label`);
      }
      const { kind, containers } = workloadOf(spec, `${input.environment}/${group}/${service}`);
      const resolved = resolveMapping(input, group, service);
      const { mapping, field } = resolved;
      const template = fileTemplateOf(input, mapping, DEFAULT_PATH_PATTERN);
      const shared = resolved.source === 'default' || resolved.source === 'environment';
      if (mapping.type === 'flow-workloads' && shared && !template.includes('{group}')) {
        throw new ValuesRenderError(`path pattern "${template}" must contain {group}: each group has its own values file`);
      }
      const path = checkedPath(expandFile(template, { env: input.environment, group, service }), `file of ${field}`);
      let plan = plans.get(path);
      if (!plan) {
        plan = { path, type: mapping.type, group, services: [] };
        plans.set(path, plan);
      } else if (plan.type !== mapping.type) {
        throw new ValuesRenderError(
          `${path} is mapped as ${plan.type} (${plan.services[0]?.field ?? ''}) and as ${mapping.type} (${field}): one file, one mapping type`,
        );
      } else if (mapping.type === 'flow-workloads' && plan.group !== group) {
        throw new ValuesRenderError(
          `${path} would be the flow-workloads file of groups ${plan.group} and ${group}: each group needs its own`,
        );
      }
      plan.services.push({ group, service, kind, containers, mapping, field, spec });
    }
  }
  return [...plans.values()];
}

/** The services of a plan whose mapping is of `type` (all of them: a file has one mapping type). */
export function servicesOfType<T extends ImageMappingType>(
  plan: FilePlan,
  type: T,
): Array<MappedService<Extract<ImageMapping, { type: T }>>> {
  return plan.services.map((s) => {
    if (s.mapping.type !== type) throw new ValuesRenderError(`${plan.path}: mixed mapping types`);
    return { ...s, mapping: s.mapping as Extract<ImageMapping, { type: T }> };
  });
}

// --- which paths a promotion of the environment may touch ----------------------------------------------

const LABEL = '[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?';

function patternRegex(template: string, vars: { env: string; group?: string; service?: string }): RegExp {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const value = (name: string): string => {
    if (name === '{env}') return escape(vars.env);
    if (name === '{group}') return vars.group !== undefined ? escape(vars.group) : LABEL;
    if (name === '{service}') return vars.service !== undefined ? escape(vars.service) : LABEL;
    return escape(name);
  };
  return new RegExp(
    `^${template
      .split(/(\{env\}|\{group\}|\{service\})/)
      .map(value)
      .join('')}$`,
  );
}

/**
 * Whether a repository path is one of the files the environment's mappings name: the file of each configured
 * mapping with `{env}` = the environment, `{group}`/`{service}` = the entry's own names or, for the defaults, any
 * DNS label; `pathPattern` wherever a flow-workloads mapping without a file applies. Compensation reverts only
 * commits that touch nothing else.
 */
export function mappedPathMatcher(gitops: MappingSettings, environment: string): (path: string) => boolean {
  const patterns: RegExp[] = [];
  const add = (mapping: ImageMapping | undefined, vars: { group?: string; service?: string }) => {
    const m = mapping ?? { type: 'flow-workloads' as const };
    patterns.push(patternRegex(fileTemplateOf(gitops, m, DEFAULT_PATH_PATTERN), { env: environment, ...vars }));
  };
  add(gitops.mapping, {});
  for (const [group, g] of Object.entries(gitops.groups ?? {})) {
    if (g.mapping) add(g.mapping, { group });
    for (const [service, m] of Object.entries(g.services ?? {})) add(m, { group, service });
  }
  return (path) => patterns.some((re) => re.test(path));
}
