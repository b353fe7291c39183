// How a verification check judges its samples (docs/verification-and-monitoring.md, "Verification gates"): the
// sample schedule, the per-kind verdict of one sample, the check's verdict after each sample, and the bounded
// evidence kept for history. Pure and sandbox-safe: the activities take the samples (HTTP, Prometheus, Argo CD),
// this module decides. Evidence never holds a header or a token: only status codes, truncated bodies and values.
import { compare, type PrometheusCheck, type VerificationCheck } from './verification.js';

/** Samples of evidence kept per check (the newest). */
export const MAX_EVIDENCE_SAMPLES = 5;
/** Characters of an HTTP body kept in evidence. */
export const MAX_BODY_EXCERPT = 200;
/** Series (Prometheus) or applications (health hold) listed in one sample's evidence. */
export const MAX_SAMPLE_ITEMS = 10;

export type CheckOutcome = 'running' | 'passed' | 'failed' | 'stopped';

/** One sample as evidence: when, whether it counted as a success, and what was seen (bounded, secret-free). */
export interface SampleEvidence {
  at: string;
  ok: boolean;
  /** One line: `HTTP 503`, `error_ratio{workload="api"} = 0.2`, `api: Synced/Degraded`, or the error. */
  summary: string;
  status?: number;
  body?: string;
  values?: Array<{ series: string; value: string }>;
  applications?: Array<{ name: string; sync: string; health: string }>;
  error?: string;
}

export interface CheckProgress {
  name: string;
  kind: VerificationCheck['kind'];
  outcome: CheckOutcome;
  /** Samples taken so far, and how many the check takes at most. */
  samples: number;
  planned: number;
  /** HTTP: the current run of consecutive successes, and how many are required. */
  consecutive?: number;
  required?: number;
  message: string;
  evidence: SampleEvidence[];
}

/** Samples a check takes at most: one at the start, then one every interval until the duration is over. */
export function plannedSamples(check: Pick<VerificationCheck, 'durationSeconds' | 'intervalSeconds'>): number {
  return Math.floor(check.durationSeconds / check.intervalSeconds) + 1;
}

export function initialProgress(check: VerificationCheck): CheckProgress {
  return {
    name: check.name,
    kind: check.kind,
    outcome: 'running',
    samples: 0,
    planned: plannedSamples(check),
    ...(check.kind === 'http' ? { consecutive: 0, required: check.successesRequired } : {}),
    message: 'not sampled yet',
    evidence: [],
  };
}

/**
 * The check after one more sample. HTTP passes after `successesRequired` consecutive successes and fails as soon
 * as the remaining samples cannot reach them; Prometheus and the health hold fail at the first bad sample and
 * pass when every planned sample was good.
 */
export function judgeSample(check: VerificationCheck, before: CheckProgress, sample: SampleEvidence): CheckProgress {
  const samples = before.samples + 1;
  const evidence = [...before.evidence, sample].slice(-MAX_EVIDENCE_SAMPLES);
  const p: CheckProgress = { ...before, samples, evidence, message: `sample ${samples}/${before.planned}: ${sample.summary}` };
  if (check.kind === 'http') {
    const consecutive = sample.ok ? (before.consecutive ?? 0) + 1 : 0;
    p.consecutive = consecutive;
    if (consecutive >= check.successesRequired) {
      return { ...p, outcome: 'passed', message: `${consecutive} consecutive successful sample(s): ${sample.summary}` };
    }
    if (consecutive + (before.planned - samples) < check.successesRequired) {
      return {
        ...p,
        outcome: 'failed',
        message: `${check.successesRequired} consecutive successes required, at most ${consecutive + (before.planned - samples)} reachable in ${check.durationSeconds}s; last sample: ${sample.summary}`,
      };
    }
    return p;
  }
  if (!sample.ok) return { ...p, outcome: 'failed', message: `sample ${samples}/${before.planned} failed: ${sample.summary}` };
  if (samples >= before.planned) return { ...p, outcome: 'passed', message: `all ${samples} sample(s) passed; last: ${sample.summary}` };
  return p;
}

/** `check <name> (<kind>)`: how messages name a check. */
export function checkLabel(c: Pick<VerificationCheck, 'name' | 'kind'>): string {
  return `check ${c.name} (${c.kind})`;
}

/** The body excerpt kept as evidence: at most MAX_BODY_EXCERPT characters, control characters flattened. */
export function bodyExcerpt(text: string): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return flat.length > MAX_BODY_EXCERPT ? `${flat.slice(0, MAX_BODY_EXCERPT)}…` : flat;
}

/** The value at a dotted path (`status.ready`, `checks.0.ok`, an optional leading `$.`) of a JSON document. */
export function valueAtPath(doc: unknown, path: string): unknown {
  const parts = path
    .replace(/^\$\.?/, '')
    .split('.')
    .filter((s) => s !== '');
  let cur: unknown = doc;
  for (const part of parts) {
    if (cur === null || typeof cur !== 'object') return undefined;
    if (!Object.prototype.hasOwnProperty.call(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/**
 * Whether an HTTP answer satisfies the check: the expected status, and with `jsonPath` the expected value at that
 * path of the JSON body (without `expectValue`: the path must exist and not be null or false).
 */
export function httpAnswerOk(
  check: { expectStatus: number; jsonPath?: string | undefined; expectValue?: unknown },
  status: number,
  body: string,
): { ok: boolean; why: string } {
  if (status !== check.expectStatus) return { ok: false, why: `HTTP ${status}, expected ${check.expectStatus}` };
  if (check.jsonPath === undefined) return { ok: true, why: `HTTP ${status}` };
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    return { ok: false, why: `HTTP ${status}, body is not JSON (jsonPath ${check.jsonPath})` };
  }
  const value = valueAtPath(doc, check.jsonPath);
  const shown = JSON.stringify(value) ?? 'absent';
  if (check.expectValue === undefined) {
    const ok = value !== undefined && value !== null && value !== false;
    return { ok, why: `HTTP ${status}, ${check.jsonPath} = ${bodyExcerpt(shown)}` };
  }
  const ok = value === check.expectValue;
  return {
    ok,
    why: `HTTP ${status}, ${check.jsonPath} = ${bodyExcerpt(shown)}${ok ? '' : `, expected ${JSON.stringify(check.expectValue)}`}`,
  };
}

/** A Prometheus sample value ("0.01", "NaN", "+Inf", "-Inf") as a number. */
export function promValue(text: unknown): number {
  if (typeof text !== 'string') return Number.NaN;
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  const n = Number(text);
  return text.trim() === '' ? Number.NaN : n;
}

/** `name{a="b",c="d"}` of a series' labels. */
export function seriesName(metric: Record<string, string>): string {
  const { __name__: name = '', ...labels } = metric;
  const inner = Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',');
  return `${name}${inner ? `{${inner}}` : name ? '' : '{}'}`;
}

/**
 * Judges one answer of `/api/v1/query` (its parsed JSON `data`): every series must satisfy the comparison; an
 * empty result and NaN values count as `noData` says. Anything that is not an instant vector or scalar fails.
 */
export function judgePrometheusData(
  check: Pick<PrometheusCheck, 'op' | 'threshold' | 'noData'>,
  data: unknown,
): Omit<SampleEvidence, 'at'> {
  const d = (data ?? {}) as { resultType?: unknown; result?: unknown };
  let series: Array<{ metric: Record<string, string>; value: unknown }>;
  if (d.resultType === 'scalar' && Array.isArray(d.result)) series = [{ metric: {}, value: d.result[1] }];
  else if (d.resultType === 'vector' && Array.isArray(d.result)) {
    series = d.result.map((r: unknown) => {
      const s = (r ?? {}) as { metric?: unknown; value?: unknown };
      const metric = s.metric && typeof s.metric === 'object' ? (s.metric as Record<string, string>) : {};
      return { metric, value: Array.isArray(s.value) ? s.value[1] : undefined };
    });
  } else {
    return {
      ok: false,
      summary: `unexpected result type ${String(d.resultType)} (an instant vector or scalar is needed)`,
      error: 'bad result',
    };
  }
  const cond = `${check.op} ${check.threshold}`;
  if (series.length === 0) {
    const ok = check.noData === 'pass';
    return { ok, summary: `no data (noData: ${check.noData})`, values: [] };
  }
  const judged = series.map((s) => {
    const value = promValue(s.value);
    const ok = Number.isNaN(value) ? check.noData === 'pass' : compare(value, check.op, check.threshold);
    return { series: seriesName(s.metric), value: typeof s.value === 'string' ? s.value : String(s.value), ok, nan: Number.isNaN(value) };
  });
  const bad = judged.filter((j) => !j.ok);
  // The failing series first: they are the evidence that matters.
  const shown = [...bad, ...judged.filter((j) => j.ok)].slice(0, MAX_SAMPLE_ITEMS);
  const first = bad[0];
  const summary = first
    ? `${first.series} = ${first.value}${first.nan ? ` (NaN, noData: ${check.noData})` : `, not ${cond}`}${bad.length > 1 ? ` (+${bad.length - 1} more)` : ''}`
    : `${judged.length} series ${cond}${judged[0] ? ` (e.g. ${judged[0].series} = ${judged[0].value})` : ''}`;
  return { ok: bad.length === 0, summary, values: shown.map((j) => ({ series: j.series, value: j.value })) };
}

/** Judges one health-hold sample: every application Synced and Healthy (none found is a failure). */
export function judgeHealth(apps: ReadonlyArray<{ name: string; sync: string; health: string }>): Omit<SampleEvidence, 'at'> {
  if (apps.length === 0) return { ok: false, summary: 'no application found', applications: [] };
  const bad = apps.filter((a) => a.sync !== 'Synced' || a.health !== 'Healthy');
  const shown = [...bad, ...apps.filter((a) => !bad.includes(a))].slice(0, MAX_SAMPLE_ITEMS);
  const summary = bad.length
    ? bad.map((a) => `${a.name}: ${a.sync}/${a.health}`).join(', ')
    : `${apps.length} application(s) Synced/Healthy`;
  return { ok: bad.length === 0, summary, applications: shown };
}

/** Replaces every occurrence of the given secret values (resolved headers, tokens) in a text. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length > 0) out = out.split(s).join('[redacted]');
  return out;
}
