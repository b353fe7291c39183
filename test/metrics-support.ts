// Test support for test/metrics.test.ts: a small parser of the Prometheus text format, and the metric names the
// files in deploy/observability/ use in their PromQL (Grafana dashboard targets, alert rule expressions).
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseExposition(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1] as string] = l[2] as string;
    out.push({ name: m[1] as string, labels, value: Number(m[3]) });
  }
  return out;
}

/** The value of the one sample with this name whose labels include `labels`; undefined when there is none. */
export function sampleValue(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const hits = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (hits.length > 1) throw new Error(`${hits.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return hits[0]?.value;
}

const ROOT = fileURLToPath(new URL('../deploy/observability/', import.meta.url));

/** Every PromQL expression of the dashboard (panel targets) and of the alert rules. */
export async function observabilityExpressions(): Promise<string[]> {
  const dashboard = JSON.parse(await readFile(`${ROOT}flow-controller-dashboard.json`, 'utf8')) as {
    panels: Array<{ targets?: Array<{ expr: string }> }>;
  };
  const rules = parseYaml(await readFile(`${ROOT}alerts.yaml`, 'utf8')) as { groups: Array<{ rules: Array<{ expr: string }> }> };
  return [
    ...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)),
    ...rules.groups.flatMap((g) => g.rules.map((r) => r.expr)),
  ];
}

/**
 * The metric names an expression uses: identifiers with one of our series' prefixes, outside string literals and
 * label matchers. Each expression must use at least one (a typo in a prefix would otherwise go unseen).
 */
export function metricNamesIn(expr: string): string[] {
  const bare = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/\{[^}]*\}/g, '');
  const names = [...bare.matchAll(/\b(?:flow_controller|temporal|process|nodejs)_[a-zA-Z0-9_]+/g)].map((m) => m[0]);
  if (names.length === 0) throw new Error(`no metric in: ${expr}`);
  return names;
}

export async function metricNamesOf(): Promise<Set<string>> {
  return new Set((await observabilityExpressions()).flatMap(metricNamesIn));
}
