// Real Helm, for rendering and linting charts (charts/flow-workloads): Helm v4's own engine, shipped as a native
// library by the PyPI package helm-python-sdk, which scripts/env.sh installs pinned into .tools/helm and exports
// as FC_HELM_PYTHON. This module spawns scripts/helm-runner.py with that interpreter, ONE PROCESS PER CALL: a
// request is one JSON object on stdin, the answer one JSON object on stdout. Per call because a start costs about
// 0.15 s (Python + the library), there is no state worth keeping between calls, and a crash or a hang in the
// native library then takes only that call with it (the process is killed after `timeoutMs`).
// Errors are HelmError with a machine-readable code and Helm's own message (file names, never the content of a
// values file; the runner's stderr is not repeated).
import { BoundedRunError, runBounded } from '../lib/child-process.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNNER = path.join(ROOT, 'scripts', 'helm-runner.py');
export const DEFAULT_HELM_TIMEOUT_MS = 30_000;

export type HelmErrorCode = 'chart-load' | 'values' | 'render' | 'io' | 'bad-request' | 'helm' | 'unavailable' | 'timeout' | 'manifest';

export class HelmError extends Error {
  override readonly name = 'HelmError';
  constructor(
    readonly code: HelmErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface HelmOptions {
  /** The Python that imports helm_python; default FC_HELM_PYTHON, else .tools/helm/bin/python. */
  python?: string;
  timeoutMs?: number;
}

export interface RenderChartInput extends HelmOptions {
  chartDir: string;
  /** Applied last, like `--set`. */
  values?: Record<string, unknown>;
  /** Paths of value files, merged in order like `helm template -f a -f b`. */
  valueFiles?: string[];
  releaseName: string;
  namespace: string;
}

/** One rendered Kubernetes object and the template it came from. */
export interface Manifest {
  template: string;
  object: Record<string, unknown> & { apiVersion: string; kind: string; metadata: { name: string } & Record<string, unknown> };
}

export interface LintMessage {
  severity: 'unknown' | 'info' | 'warning' | 'error';
  path: string;
  message: string;
}

export interface LintInput extends HelmOptions {
  chartDir: string;
  values?: Record<string, unknown>;
  valueFiles?: string[];
  namespace?: string;
  /** Warnings count as errors (`helm lint --strict`). */
  strict?: boolean;
}

export interface LintResult {
  ok: boolean;
  messages: LintMessage[];
  errors: string[];
}

/** `helm template`: the chart's manifests as parsed objects, in template-path order (NOTES.txt and empty documents dropped). */
export async function renderChart(input: RenderChartInput): Promise<Manifest[]> {
  const answer = await runHelm(
    {
      op: 'render',
      chartDir: path.resolve(input.chartDir),
      values: input.values ?? {},
      valueFiles: (input.valueFiles ?? []).map((f) => path.resolve(f)),
      releaseName: input.releaseName,
      namespace: input.namespace,
    },
    input,
  );
  const rendered = answer.manifests as Record<string, string> | undefined;
  if (!rendered || typeof rendered !== 'object') throw new HelmError('helm', 'helm runner answered without manifests');
  const out: Manifest[] = [];
  for (const template of Object.keys(rendered).sort()) {
    if (template.endsWith('NOTES.txt') || path.posix.basename(template).startsWith('_')) continue;
    for (const doc of parseAllDocuments(rendered[template] ?? '')) {
      if (doc.errors.length > 0) {
        const first = doc.errors[0];
        throw new HelmError('manifest', `${template}: rendered output is not valid YAML (${first?.code ?? 'parse error'})`);
      }
      const object: unknown = doc.toJS();
      if (object === null || object === undefined) continue;
      if (!isManifest(object)) throw new HelmError('manifest', `${template}: a rendered document lacks apiVersion, kind or metadata.name`);
      out.push({ template, object });
    }
  }
  return out;
}

/** `helm lint`: findings are data; `ok` is false when any finding is an error. */
export async function lintChart(input: LintInput): Promise<LintResult> {
  const answer = await runHelm(
    {
      op: 'lint',
      chartDir: path.resolve(input.chartDir),
      values: input.values ?? {},
      valueFiles: (input.valueFiles ?? []).map((f) => path.resolve(f)),
      namespace: input.namespace,
      strict: input.strict ?? false,
    },
    input,
  );
  const report = (answer.report ?? {}) as { messages?: { severity?: number; path?: string; error?: string }[]; errors?: string[] };
  const severities = ['unknown', 'info', 'warning', 'error'] as const;
  const messages = (report.messages ?? []).map((m) => ({
    severity: severities[m.severity ?? 0] ?? 'unknown',
    path: m.path ?? '',
    message: (m.error ?? '').trim(),
  }));
  const errors = (report.errors ?? []).map((e) => e.trim());
  return { ok: errors.length === 0 && !messages.some((m) => m.severity === 'error'), messages, errors };
}

export function helmPython(explicit?: string): string {
  return explicit ?? process.env.FC_HELM_PYTHON ?? path.join(ROOT, '.tools', 'helm', 'bin', 'python');
}

function isManifest(v: unknown): v is Manifest['object'] {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  const meta = o.metadata as Record<string, unknown> | undefined;
  return typeof o.apiVersion === 'string' && typeof o.kind === 'string' && typeof meta?.name === 'string';
}

async function runHelm(request: Record<string, unknown>, opts: HelmOptions): Promise<Record<string, unknown>> {
  const python = helmPython(opts.python);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_HELM_TIMEOUT_MS;
  let result;
  try {
    // stderr is drained, never repeated: it could echo input.
    result = await runBounded(python, [RUNNER], { stdin: JSON.stringify(request), timeoutMs, maxStderrBytes: 0 });
  } catch (err) {
    if (!(err instanceof BoundedRunError)) throw err;
    if (err.kind === 'timeout') throw new HelmError('timeout', `helm did not answer within ${timeoutMs} ms`);
    throw new HelmError('unavailable', `cannot start Helm (${python}: ${err.errno}); source scripts/env.sh or set FC_HELM_PYTHON`);
  }
  let answer: Record<string, unknown>;
  try {
    answer = JSON.parse(result.stdout.toString('utf8').trim()) as Record<string, unknown>;
  } catch {
    throw new HelmError('helm', `helm runner exited (${result.signal ?? `code ${result.code}`}) without an answer`);
  }
  if (answer.ok === true) return answer;
  throw new HelmError(toCode(answer.code), String(answer.message ?? 'helm failed'));
}

function toCode(code: unknown): HelmErrorCode {
  const known: HelmErrorCode[] = ['chart-load', 'values', 'render', 'io', 'bad-request', 'helm'];
  return known.includes(code as HelmErrorCode) ? (code as HelmErrorCode) : 'helm';
}
