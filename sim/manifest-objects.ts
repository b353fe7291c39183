// Rendered Kubernetes objects → the simulator's desired workloads, and the plain-manifest reading of Argo CD's
// "directory" source (reposerver/repository findManifests / getObjsFromYAMLOrJSON): every *.yaml, *.yml and *.json
// file of the path (recursively only with `directory.recurse`), multi-document YAML, one object per JSON file,
// `…List` objects expanded. Argo's rules for what is an error: a file that fails to parse is an error when it
// already gave objects or when it looks like a manifest (contains `apiVersion:`, `kind:` and `metadata:`), and is
// silently ignored otherwise (an unrelated YAML file such as a values.yaml). Messages never quote file content.
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../integrations/kustomize.js';
import {
  ANNOTATION_TRACKING_ID,
  type DesiredWorkload,
  LABEL_INSTANCE,
  LABEL_NAME,
  RenderError,
  trackingId,
  WorkloadKindValues,
} from './chart.js';

/** argo-cd reposerver/repository `manifestFile` (jsonnet is matched but not implemented by the simulator). */
export const MANIFEST_FILE = /\.(yaml|yml|json|jsonnet)$/;
/** A file holding this marker is not rendered (argo-cd `skipFileRenderingMarker`). */
const SKIP_MARKER = '+argocd:skip-file-rendering';

/**
 * A rendered object as the workload the simulator runs; Argo CD adds the tracking id when it applies it, and the
 * destination namespace to an object without one. Objects of other kinds are not modelled and are left out.
 */
export function toDesired(object: KubeObject, app: string, namespace: string): DesiredWorkload[] {
  const kind = WorkloadKindValues.safeParse(object.kind);
  if (!kind.success) return [];
  const o = object as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const ns = typeof o.metadata.namespace === 'string' && o.metadata.namespace !== '' ? (o.metadata.namespace as string) : namespace;
  const name = object.metadata.name;
  const pod = kind.data === 'CronJob' ? o.spec?.jobTemplate?.spec?.template : o.spec?.template;
  const containers = (list: { name: string; image: string }[] | undefined) => (list ?? []).map((c) => ({ name: c.name, image: c.image }));
  const labels = (o.metadata.labels ?? {}) as Record<string, string>;
  const podLabels = (pod?.metadata?.labels ?? {}) as Record<string, string>;
  return [
    {
      kind: kind.data,
      name,
      namespace: ns,
      replicas: kind.data === 'DaemonSet' ? 1 : kind.data === 'CronJob' ? 0 : ((o.spec?.replicas as number | undefined) ?? 1),
      schedule: kind.data === 'CronJob' ? (o.spec?.schedule as string) : undefined,
      labels,
      annotations: { ...(o.metadata.annotations ?? {}), [ANNOTATION_TRACKING_ID]: trackingId(app, kind.data, ns, name) },
      selector:
        kind.data === 'CronJob'
          ? { [LABEL_INSTANCE]: podLabels[LABEL_INSTANCE] ?? app, [LABEL_NAME]: name }
          : ((o.spec?.selector?.matchLabels ?? {}) as Record<string, string>),
      template: {
        labels: podLabels,
        annotations: (pod?.metadata?.annotations ?? {}) as Record<string, string>,
        containers: containers(pod?.spec?.containers),
        initContainers: containers(pod?.spec?.initContainers),
      },
    },
  ];
}

/** What Argo reports for a directory-source error: `rpc error: code = FailedPrecondition desc = …`. */
function failedPrecondition(message: string): RenderError {
  return new RenderError(`rpc error: code = FailedPrecondition desc = ${message}`);
}

/** The objects of one manifest file (`name` as Argo quotes it: the file's base name). */
export function objectsOfFile(file: { name: string; text: string }): KubeObject[] {
  const base = file.name.slice(file.name.lastIndexOf('/') + 1);
  if (file.text.includes(SKIP_MARKER)) return [];
  if (base.endsWith('.jsonnet'))
    throw failedPrecondition(`Failed to evaluate jsonnet "${base}": jsonnet is not implemented by the simulator`);
  if (base.endsWith('.json')) {
    let value: unknown;
    try {
      value = JSON.parse(file.text);
    } catch {
      throw failedPrecondition(`Failed to unmarshal "${base}": invalid JSON`);
    }
    if (Array.isArray(value))
      throw failedPrecondition(`Failed to unmarshal "${base}": cannot unmarshal array into Go value of type map[string]interface {}`);
    return checked(value, base).flatMap(expandList);
  }
  const objects: KubeObject[] = [];
  const looksLikeManifest = ['apiVersion:', 'kind:', 'metadata:'].every((s) => file.text.includes(s));
  for (const doc of parseAllDocuments(file.text)) {
    let problem: string | undefined;
    let value: unknown;
    if (doc.errors.length > 0) {
      const e = doc.errors[0];
      problem = `failed to unmarshal manifest: error converting YAML to JSON: yaml: line ${e?.linePos?.[0]?.line ?? '?'}: ${e?.code ?? 'parse error'}`;
    } else {
      value = doc.toJS();
      if (value === null || value === undefined) continue;
      problem = manifestProblem(value);
    }
    if (problem !== undefined) {
      // Argo: an error after objects were read, or in a file that looks like a manifest, fails the render;
      // otherwise the file is an unrelated YAML file and is ignored.
      if (objects.length > 0 || looksLikeManifest) throw failedPrecondition(`Failed to unmarshal "${base}": ${problem}`);
      return [];
    }
    objects.push(...expandList(value as KubeObject));
  }
  return objects;
}

function checked(value: unknown, base: string): KubeObject[] {
  const problem = manifestProblem(value);
  if (problem !== undefined) throw failedPrecondition(`Failed to unmarshal "${base}": ${problem}`);
  return [value as KubeObject];
}

/** Why a decoded document is not a Kubernetes object (Unstructured's decoding rules), without quoting it. */
function manifestProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return `failed to unmarshal manifest: cannot unmarshal ${Array.isArray(value) ? 'array' : typeof value} into Go value of type map[string]interface {}`;
  }
  const o = value as Record<string, unknown>;
  if (typeof o.kind !== 'string' || o.kind === '') return "failed to unmarshal manifest: Object 'Kind' is missing in '{…}'";
  if (typeof o.apiVersion !== 'string' || o.apiVersion === '')
    return "failed to unmarshal manifest: Object 'apiVersion' is missing in '{…}'";
  return undefined;
}

function expandList(object: KubeObject): KubeObject[] {
  const items = (object as Record<string, unknown>).items;
  if (object.kind.endsWith('List') && Array.isArray(items))
    return items.filter((i): i is KubeObject => typeof i === 'object' && i !== null);
  if (object.kind.endsWith('List') && items === null) return [];
  return [object];
}

/** The rendered objects as workloads; an object without a name cannot be applied (Argo's sync would fail on it). */
export function desiredOf(objects: KubeObject[], app: string, namespace: string): DesiredWorkload[] {
  return objects.flatMap((o) => {
    const name = (o.metadata as { name?: unknown } | undefined)?.name;
    if (typeof name !== 'string' || name === '') throw new RenderError(`${o.kind}: resource name may not be empty`);
    return toDesired(o, app, namespace);
  });
}
