// Templates and release descriptors: one shape, two modes. A template may hold `<UPPER_SNAKE>` placeholders
// in container tags and may mark a service `optional`; a descriptor is the same document with every
// placeholder filled and no `optional` markers:
//   { "<group>": { "<service>": { "<WorkloadKind>": { "optional"?: true, "containers": {
//       "<container>": { "repo": "<image repository>", "tag": "<tag | sha256:digest | <PLACEHOLDER>>" } } } } } }
// The zod schemas type the API and the JSON columns; parseDocument() is the walker that reports *every*
// shape problem at once with its path (zod stops describing a branch at its first failure) and yields a
// Map-based view that the rules in validate.ts compare. Pure: no I/O, no Node built-ins.
import { z } from 'zod';
import { joinPath, type Problem } from './problems.js';

export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'CronJob'] as const;
export const WorkloadKind = z.enum(WORKLOAD_KINDS);
export type WorkloadKind = z.infer<typeof WorkloadKind>;

/** Group, service and container names: DNS labels (RFC 1123), so they are safe in paths, Git and Kubernetes. */
export const NAME_RE = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
/** A placeholder: `<` UPPER_SNAKE `>`. */
export const PLACEHOLDER_RE = /<([A-Z][A-Z0-9_]*)>/g;
/** OCI distribution spec tag. */
export const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
export const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;
/**
 * At most this many placeholders in one template tag. Matching is linear whatever the count (validate.ts
 * fitsPattern), so the cap is about keeping templates readable and bounding the work per container, not a
 * correctness guard. Adjacent placeholders (`<A><B>`) stay allowed: the check is a yes/no question, and the
 * greedy matcher decides it exactly however the tag could be split between them.
 */
export const MAX_PLACEHOLDERS_PER_TAG = 8;

const PATH_COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_RE =
  /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]{1,5})?$/;

/**
 * An image repository as the OCI distribution spec / Docker reference grammar defines it: optional registry
 * host (recognised, like Docker does, by a dot, a port or `localhost`) then lowercase path components.
 */
export function isValidRepository(repo: string): boolean {
  if (repo.length === 0 || repo.length > 255) return false;
  const parts = repo.split('/');
  const first = parts[0] ?? '';
  const hasDomain = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasDomain && !DOMAIN_RE.test(first)) return false;
  return (hasDomain ? parts.slice(1) : parts).every((p) => PATH_COMPONENT_RE.test(p));
}

/** Per-document caps for templates and descriptors (security audit finding 14; the API answers 413 DOCUMENT_TOO_LARGE). */
export const MAX_DOCUMENT_BYTES = 1024 * 1024;
export const MAX_DOCUMENT_SERVICES = 1000;

/** A document's size as the caps count it: UTF-8 bytes of its JSON and services (entries of its groups). */
export function documentSize(input: unknown): { bytes: number; services: number } {
  let services = 0;
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
    for (const group of Object.values(input)) {
      if (typeof group === 'object' && group !== null && !Array.isArray(group)) services += Object.keys(group).length;
    }
  }
  const json = JSON.stringify(input) ?? '';
  return { bytes: new TextEncoder().encode(json).length, services };
}

export function isValidTag(tag: string): boolean {
  return TAG_RE.test(tag) || DIGEST_RE.test(tag);
}

export function placeholdersIn(value: string): string[] {
  return [...value.matchAll(PLACEHOLDER_RE)].map((m) => m[1] ?? '');
}

export const Container = z.object({ repo: z.string(), tag: z.string() }).strict();
export type Container = z.infer<typeof Container>;

export const TemplateWorkload = z.object({ optional: z.boolean().optional(), containers: z.record(z.string(), Container) }).strict();
export type TemplateWorkload = z.infer<typeof TemplateWorkload>;
export const TemplateService = z.partialRecord(WorkloadKind, TemplateWorkload);
export type TemplateService = z.infer<typeof TemplateService>;
/** A release template: groups → services → one workload kind → containers. */
export const Template = z.record(z.string(), z.record(z.string(), TemplateService));
export type Template = z.infer<typeof Template>;

export const DescriptorWorkload = z.object({ containers: z.record(z.string(), Container) }).strict();
export type DescriptorWorkload = z.infer<typeof DescriptorWorkload>;
export const DescriptorService = z.partialRecord(WorkloadKind, DescriptorWorkload);
export type DescriptorService = z.infer<typeof DescriptorService>;
/** A concrete release descriptor: the template's shape with every placeholder filled. */
export const Descriptor = z.record(z.string(), z.record(z.string(), DescriptorService));
export type Descriptor = z.infer<typeof Descriptor>;

/** A container as far as it parsed: repo/tag are present only when well-formed. */
export interface ParsedContainer {
  repo?: string;
  tag?: string;
}
export interface ParsedService {
  kind: WorkloadKind;
  optional: boolean;
  containers: Map<string, ParsedContainer>;
}
/** group → service → parsed service. Maps, so names such as `constructor` are plain keys. */
export type ParsedDocument = Map<string, Map<string, ParsedService>>;

export type DocumentMode = 'template' | 'descriptor';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : `a ${typeof v}`;
}

const KIND_SET: ReadonlySet<string> = new Set(WORKLOAD_KINDS);

/** Walks a template or descriptor and reports every shape problem; valid parts land in `parsed`. */
export interface ParseResult {
  parsed: ParsedDocument;
  problems: Problem[];
  /** `group.service` of every well-named service present, even one whose body did not parse. */
  present: Set<string>;
}

export function parseDocument(input: unknown, mode: DocumentMode): ParseResult {
  const problems: Problem[] = [];
  const parsed: ParsedDocument = new Map();
  const present = new Set<string>();
  const problem = (path: string, code: Problem['code'], message: string) => problems.push({ path, code, message });
  const what = mode === 'template' ? 'template' : 'descriptor';

  if (!isObject(input)) {
    problem('', 'INVALID_SHAPE', `the ${what} must be an object of groups, got ${describe(input)}`);
    return { parsed, problems, present };
  }
  if (mode === 'template' && Object.keys(input).length === 0) {
    problem('', 'INVALID_SHAPE', 'a template needs at least one group');
  }

  for (const [group, groupValue] of Object.entries(input)) {
    if (!NAME_RE.test(group)) {
      problem(group, 'INVALID_NAME', `group name "${group}" must be a DNS label (lowercase letters, digits, '-')`);
      continue;
    }
    if (!isObject(groupValue)) {
      problem(group, 'INVALID_SHAPE', `a group must be an object of services, got ${describe(groupValue)}`);
      continue;
    }
    if (Object.keys(groupValue).length === 0) {
      problem(group, 'INVALID_SHAPE', 'a group needs at least one service');
      continue;
    }
    const services = new Map<string, ParsedService>();
    parsed.set(group, services);
    for (const [service, serviceValue] of Object.entries(groupValue)) {
      const servicePath = joinPath(group, service);
      if (!NAME_RE.test(service)) {
        problem(servicePath, 'INVALID_NAME', `service name "${service}" must be a DNS label (lowercase letters, digits, '-')`);
        continue;
      }
      present.add(servicePath);
      if (!isObject(serviceValue)) {
        problem(servicePath, 'INVALID_SHAPE', `a service must be an object with one workload kind, got ${describe(serviceValue)}`);
        continue;
      }
      const keys = Object.keys(serviceValue);
      const kinds = keys.filter((k) => KIND_SET.has(k)) as WorkloadKind[];
      for (const k of keys) {
        if (!KIND_SET.has(k)) {
          problem(
            joinPath(servicePath, k),
            'UNKNOWN_WORKLOAD_KIND',
            `"${k}" is not a workload kind (expected one of ${WORKLOAD_KINDS.join(', ')})`,
          );
        }
      }
      if (keys.length === 0) {
        problem(servicePath, 'INVALID_SHAPE', 'a service needs exactly one workload kind');
        continue;
      }
      if (kinds.length > 1) {
        problem(servicePath, 'INVALID_SHAPE', `a service has exactly one workload kind, found ${kinds.join(', ')}`);
        continue;
      }
      const kind = kinds[0];
      if (kind === undefined) continue;
      const workloadPath = joinPath(servicePath, kind);
      const workload = serviceValue[kind];
      if (!isObject(workload)) {
        problem(workloadPath, 'INVALID_SHAPE', `a workload must be an object with "containers", got ${describe(workload)}`);
        continue;
      }
      let optional = false;
      for (const key of Object.keys(workload)) {
        if (key === 'containers') continue;
        if (key === 'optional' && mode === 'template') {
          if (typeof workload.optional !== 'boolean') {
            problem(joinPath(workloadPath, key), 'INVALID_SHAPE', `"optional" must be a boolean, got ${describe(workload.optional)}`);
          } else optional = workload.optional;
          continue;
        }
        const hint = key === 'optional' ? ' ("optional" belongs in templates; leave the service out of the descriptor instead)' : '';
        problem(joinPath(workloadPath, key), 'UNKNOWN_FIELD', `unknown field "${key}"${hint}`);
      }
      const service_: ParsedService = { kind, optional, containers: new Map() };
      services.set(service, service_);
      const containersPath = joinPath(workloadPath, 'containers');
      if (!('containers' in workload)) {
        problem(containersPath, 'MISSING_FIELD', 'a workload needs "containers"');
        continue;
      }
      const containers = workload.containers;
      if (!isObject(containers)) {
        problem(containersPath, 'INVALID_SHAPE', `"containers" must be an object of containers, got ${describe(containers)}`);
        continue;
      }
      if (Object.keys(containers).length === 0) {
        problem(containersPath, 'INVALID_SHAPE', 'a workload needs at least one container');
        continue;
      }
      for (const [name, value] of Object.entries(containers)) {
        const containerPath = joinPath(containersPath, name);
        if (!NAME_RE.test(name)) {
          problem(containerPath, 'INVALID_NAME', `container name "${name}" must be a DNS label (lowercase letters, digits, '-')`);
          continue;
        }
        const container: ParsedContainer = {};
        service_.containers.set(name, container);
        if (!isObject(value)) {
          problem(containerPath, 'INVALID_SHAPE', `a container must be an object with "repo" and "tag", got ${describe(value)}`);
          continue;
        }
        for (const key of Object.keys(value)) {
          if (key !== 'repo' && key !== 'tag') problem(joinPath(containerPath, key), 'UNKNOWN_FIELD', `unknown field "${key}"`);
        }
        const repo = parseRepo(value, joinPath(containerPath, 'repo'), mode, problem);
        if (repo !== undefined) container.repo = repo;
        const tag = parseTag(value, joinPath(containerPath, 'tag'), mode, problem);
        if (tag !== undefined) container.tag = tag;
      }
    }
  }
  return { parsed, problems, present };
}

type Report = (path: string, code: Problem['code'], message: string) => void;

function parseRepo(container: Record<string, unknown>, path: string, mode: DocumentMode, problem: Report): string | undefined {
  if (!('repo' in container)) return void problem(path, 'MISSING_FIELD', 'a container needs "repo"');
  const repo = container.repo;
  if (typeof repo !== 'string') return void problem(path, 'INVALID_SHAPE', `"repo" must be a string, got ${describe(repo)}`);
  if (placeholdersIn(repo).length > 0) {
    return mode === 'template'
      ? void problem(path, 'PLACEHOLDER_NOT_ALLOWED', 'image repositories are pinned: placeholders are allowed in tags only')
      : void problem(path, 'PLACEHOLDER_UNFILLED', `placeholder left in "${repo}"`);
  }
  if (!isValidRepository(repo)) return void problem(path, 'INVALID_REPOSITORY', `"${repo}" is not a valid image repository name`);
  return repo;
}

function parseTag(container: Record<string, unknown>, path: string, mode: DocumentMode, problem: Report): string | undefined {
  if (!('tag' in container)) return void problem(path, 'MISSING_FIELD', 'a container needs "tag"');
  const tag = container.tag;
  if (typeof tag !== 'string') return void problem(path, 'INVALID_SHAPE', `"tag" must be a string, got ${describe(tag)}`);
  if (mode === 'descriptor') {
    if (/<[^<>]*>/.test(tag)) return void problem(path, 'PLACEHOLDER_UNFILLED', `placeholder left in "${tag}"`);
    if (!isValidTag(tag)) return void problem(path, 'INVALID_TAG', `"${tag}" is neither a valid OCI tag nor a sha256: digest`);
    return tag;
  }
  const stripped = tag.replace(PLACEHOLDER_RE, '');
  if (stripped.includes('<') || stripped.includes('>')) {
    return void problem(path, 'INVALID_PLACEHOLDER', `"${tag}" has a malformed placeholder (expected <UPPER_SNAKE>)`);
  }
  const placeholders = placeholdersIn(tag).length;
  if (placeholders > MAX_PLACEHOLDERS_PER_TAG) {
    problem(
      path,
      'TOO_MANY_PLACEHOLDERS',
      `"${tag.slice(0, 64)}${tag.length > 64 ? '…' : ''}" has ${placeholders} placeholders; at most ${MAX_PLACEHOLDERS_PER_TAG} are allowed per tag`,
    );
    // Still the tag: a revision stored before the cap keeps constraining descriptors (fitsPattern is linear).
    return tag;
  }
  if (placeholders === 0) {
    if (!isValidTag(tag)) return void problem(path, 'INVALID_TAG', `"${tag}" is neither a valid OCI tag nor a sha256: digest`);
    return tag;
  }
  // A moving tag: it must still be able to become a valid tag once its placeholders are filled.
  const sample = tag.replace(PLACEHOLDER_RE, '0');
  if (!TAG_RE.test(sample) && sample !== 'sha256:0') {
    return void problem(path, 'INVALID_TAG', `"${tag}" cannot become a valid OCI tag when its placeholders are filled`);
  }
  return tag;
}
