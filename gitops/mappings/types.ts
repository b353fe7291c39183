// What every image-mapping editor (helm-values.ts, kustomize.ts, manifests.ts) takes and gives: the existing file,
// the services the plan (plan.ts) maps into it with their mapping, and the release metadata; the new text and
// whether it changed. Plus the small shared pieces: code-unit order, and the log that refuses two services writing
// different values to one place.
import type { WorkloadKind } from '../../domain/descriptor.js';
import { ValuesRenderError } from '../errors.js';

export interface MappedContainer {
  repo: string;
  tag: string;
}

/** One service of the release, mapped into a file by `mapping` (configured at `field`). */
export interface MappedService<M> {
  group: string;
  service: string;
  kind: WorkloadKind;
  containers: Record<string, MappedContainer>;
  mapping: M;
  /** `gitops.groups.core.services.api`, `gitops.mapping`, …: where the mapping is configured. */
  field: string;
}

export interface ReleaseMeta {
  releaseId: string;
  descriptorDigest: string;
  productVersion: string;
}

export interface EditInput<M> {
  /** Repository-relative path, for messages. */
  file: string;
  existing: string;
  services: Array<MappedService<M>>;
  release: ReleaseMeta;
}

export interface EditResult {
  content: string;
  /** `content` differs from `existing` (byte comparison). */
  changed: boolean;
}

/** A save-time finding about a mapping and its file: the configuration field, the file and what is wrong. */
export interface MappingProblem {
  field: string;
  file: string;
  message: string;
}

/** Code-unit order: locale-independent, so output never depends on the worker's ICU data. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sortedKeys(record: Record<string, unknown>): string[] {
  return Object.keys(record).sort(compare);
}

/** Who writes what where in one file: the same place written twice must get the same value. */
export class WriteLog {
  private readonly writes = new Map<string, { value: string; by: string }>();
  constructor(private readonly file: string) {}

  record(place: string, value: string, by: string): void {
    const before = this.writes.get(place);
    if (before && before.value !== value) {
      throw new ValuesRenderError(
        `${this.file}: ${place} is written by ${before.by} and by ${by} with different values; give each its own place or file`,
      );
    }
    if (!before) this.writes.set(place, { value, by });
  }
}
