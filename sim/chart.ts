// The chart convention of docs/gitops-layout.md, rendered: what Helm would produce from an
// environment's values file in the simulator. Values → desired workloads with the documented
// labels, annotations and image strings. Pure (no I/O); the simulator and its tests use it, and it is
// the reference for Flow Controller's values renderer.
import { createHash } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

export const LABEL_INSTANCE = 'app.kubernetes.io/instance';
export const LABEL_NAME = 'app.kubernetes.io/name';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const LABEL_VERSION = 'app.kubernetes.io/version';
export const ANNOTATION_TRACKING_ID = 'argocd.argoproj.io/tracking-id';
export const ANNOTATION_RELEASE_ID = 'flow-controller.io/release-id';
export const ANNOTATION_DESCRIPTOR_DIGEST = 'flow-controller.io/descriptor-digest';
export const ANNOTATION_PRODUCT_VERSION = 'flow-controller.io/product-version';

const Digest = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'digest must be sha256:<64 hex>');

export const ImageValues = z
  .looseObject({
    repository: z.string().min(1),
    tag: z.union([z.string(), z.number()]).transform(String).optional(),
    digest: Digest.optional(),
  })
  .refine((i) => i.tag !== undefined || i.digest !== undefined, 'image needs a tag or a digest');
export type ImageValues = z.infer<typeof ImageValues>;

const ContainerValues = z.looseObject({ image: ImageValues });

export const WorkloadKindValues = z.enum(['Deployment', 'StatefulSet', 'DaemonSet', 'CronJob']);
export type WorkloadKindValues = z.infer<typeof WorkloadKindValues>;

export const WorkloadValues = z.looseObject({
  kind: WorkloadKindValues.default('Deployment'),
  replicas: z.number().int().min(0).optional(),
  schedule: z.string().optional(),
  containers: z.record(z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/), ContainerValues),
  initContainers: z.record(z.string(), ContainerValues).optional(),
});
export type WorkloadValues = z.infer<typeof WorkloadValues>;

export const ChartValues = z.looseObject({
  flowController: z
    .looseObject({
      releaseId: z.string().optional(),
      descriptorDigest: z.string().optional(),
      productVersion: z.union([z.string(), z.number()]).transform(String).optional(),
    })
    .optional(),
  workloads: z.record(z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'workload names are DNS labels'), WorkloadValues).default({}),
});
export type ChartValues = z.infer<typeof ChartValues>;

export interface ContainerSpec {
  name: string;
  image: string;
}

export interface PodTemplate {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  containers: ContainerSpec[];
  initContainers: ContainerSpec[];
}

export interface DesiredWorkload {
  kind: WorkloadKindValues;
  name: string;
  namespace: string;
  /** Spec replicas (DaemonSet: always 1, the simulator has one node; CronJob: 0 long-running pods). */
  replicas: number;
  schedule?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  selector: Record<string, string>;
  template: PodTemplate;
}

/** `repository@sha256:…` when a digest is given (digest wins), else `repository:tag`. */
export function imageString(image: ImageValues): string {
  return image.digest ? `${image.repository}@${image.digest}` : `${image.repository}:${image.tag ?? 'latest'}`;
}

export function groupForKind(kind: WorkloadKindValues): string {
  return kind === 'CronJob' ? 'batch' : 'apps';
}

export function trackingId(app: string, kind: WorkloadKindValues, namespace: string, name: string): string {
  return `${app}:${groupForKind(kind)}/${kind}:${namespace}/${name}`;
}

/** Deep merge as Helm merges value files: maps merge, everything else is replaced by the later file. */
export function mergeValues(base: unknown, over: unknown): unknown {
  if (isPlainObject(base) && isPlainObject(over)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = k in out ? mergeValues(out[k], v) : v;
    return out;
  }
  return over === undefined ? base : over;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export class RenderError extends Error {
  override readonly name = 'RenderError';
}

/** Parses and merges value files (YAML texts, in order) into chart values. */
export function parseValues(files: { name: string; text: string }[]): ChartValues {
  let merged: unknown = {};
  for (const f of files) {
    let doc: unknown;
    try {
      doc = parseYaml(f.text);
    } catch (err) {
      throw new RenderError(`failed to parse ${f.name}: ${(err as Error).message}`, { cause: err });
    }
    merged = mergeValues(merged, doc ?? {});
  }
  const parsed = ChartValues.safeParse(merged);
  if (!parsed.success) throw new RenderError(`invalid values: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** Renders the workloads of one Application (`app` in `namespace`) from its merged values. */
export function renderWorkloads(values: ChartValues, opts: { app: string; namespace: string }): DesiredWorkload[] {
  const fc = values.flowController ?? {};
  const releaseAnnotations: Record<string, string> = {};
  if (fc.releaseId) releaseAnnotations[ANNOTATION_RELEASE_ID] = fc.releaseId;
  if (fc.descriptorDigest) releaseAnnotations[ANNOTATION_DESCRIPTOR_DIGEST] = fc.descriptorDigest;

  return Object.entries(values.workloads)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, w]): DesiredWorkload => {
      const selector = { [LABEL_INSTANCE]: opts.app, [LABEL_NAME]: name };
      const labels: Record<string, string> = { ...selector, [LABEL_MANAGED_BY]: 'Helm' };
      if (fc.productVersion) labels[LABEL_VERSION] = fc.productVersion;
      const annotations: Record<string, string> = {
        [ANNOTATION_TRACKING_ID]: trackingId(opts.app, w.kind, opts.namespace, name),
        ...releaseAnnotations,
      };
      if (fc.productVersion) annotations[ANNOTATION_PRODUCT_VERSION] = fc.productVersion;
      const containers = containerList(w.containers);
      const initContainers = containerList(w.initContainers ?? {});
      const replicas = w.kind === 'DaemonSet' ? 1 : w.kind === 'CronJob' ? 0 : (w.replicas ?? 1);
      return {
        kind: w.kind,
        name,
        namespace: opts.namespace,
        replicas,
        schedule: w.kind === 'CronJob' ? (w.schedule ?? '0 * * * *') : undefined,
        labels,
        annotations,
        selector,
        template: { labels: { ...labels }, annotations: { ...releaseAnnotations }, containers, initContainers },
      };
    });
}

/**
 * A container map as a pod's container list, in name order (code units): Helm's templates iterate a map sorted by
 * key (charts/flow-workloads), so the order the values file wrote them in is lost in a real cluster too.
 */
function containerList(containers: Record<string, { image: ImageValues }>): ContainerSpec[] {
  return Object.keys(containers)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => ({ name, image: imageString((containers[name] as { image: ImageValues }).image) }));
}

/** Stable short hash of a pod template, in Kubernetes' safe alphabet (like pod-template-hash). */
export function templateHash(t: PodTemplate): string {
  const canon = JSON.stringify({
    l: Object.entries(t.labels).sort(),
    a: Object.entries(t.annotations).sort(),
    c: t.containers,
    i: t.initContainers,
  });
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  const bytes = createHash('sha256').update(canon).digest();
  let out = '';
  for (let i = 0; i < 10; i++) out += alphabet[(bytes[i] ?? 0) % alphabet.length];
  return out;
}

/** What the kubelet reports as imageID: `<repository>@sha256:<digest>`, deterministic per image string. */
export function imageIdFor(image: string): string {
  const at = image.indexOf('@');
  if (at >= 0) return image;
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  const repository = colon >= 0 ? image.slice(0, colon) : image;
  return `${repository}@sha256:${createHash('sha256').update(image).digest('hex')}`;
}
