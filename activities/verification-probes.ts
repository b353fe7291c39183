// One sample of each kind of verification check (docs/verification-and-monitoring.md, "Verification gates"):
// an HTTP request, a Prometheus instant query, a read of every Argo CD application of the environment (every
// cluster). Secrets (header `secretRef`, Prometheus `tokenRef`) are resolved here, per sample, through the
// worker's restricted resolver, and redacted from any body kept as evidence; URLs are checked against
// FC_ALLOWED_HOSTS after their templates are expanded. A sample never throws for what it observes: an error
// answer, a timeout or an unreachable server is a failed sample with its reason (never kinder than the truth).
import type { ActivityDeps } from './deps.js';
import { secretsOf, type PromotionContext } from './promotion-context.js';
import { targetApplications } from './promotion-targets.js';
import {
  bodyExcerpt,
  httpAnswerOk,
  judgeHealth,
  judgePrometheusData,
  redactSecrets,
  type SampleEvidence,
} from '../domain/verification-checks.js';
import { checkUrlProblem } from '../domain/verification-policy.js';
import { expandCheckTemplate, type HttpCheck, type PrometheusCheck, type VerificationCheck } from '../domain/verification.js';

/** Bytes of a response body read at most (the JSON path and the excerpt need no more). */
const MAX_BODY_BYTES = 64 * 1024;

/** Thrown (and reported as a configuration failure) when a check can never run: refused URL, unresolvable secret. */
export class CheckConfigurationError extends Error {
  override readonly name = 'CheckConfigurationError';
}

export interface SampleContext {
  deps: ActivityDeps;
  ctx: PromotionContext;
  signal: AbortSignal;
}

async function readBounded(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < MAX_BODY_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString('utf8');
}

function errorText(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError') return 'timed out';
  const cause = e?.cause?.code ?? e?.cause?.message;
  return `${e?.message ?? String(err)}${cause ? ` (${cause})` : ''}`.slice(0, 300);
}

function templateVars(s: SampleContext) {
  return { env: s.ctx.environment.name, releaseId: s.ctx.release.id, productVersion: s.ctx.release.productVersion };
}

function allowedUrl(s: SampleContext, field: string, url: string): string {
  const problem = checkUrlProblem(url, s.deps.allowedHosts ?? []);
  if (problem) throw new CheckConfigurationError(`${field} ${problem}`);
  return url;
}

function resolveSecret(s: SampleContext, ref: string, field: string): string {
  try {
    return secretsOf(s.deps).resolve(ref);
  } catch (err) {
    throw new CheckConfigurationError(`${field}: ${(err as Error).message}`);
  }
}

/** One HTTP request of an HTTP check (redirects are not followed: a 3xx is the answer). */
export async function sampleHttp(s: SampleContext, check: HttpCheck): Promise<SampleEvidence> {
  const at = new Date().toISOString();
  const url = allowedUrl(s, `check ${check.name}: url`, expandCheckTemplate(check.url, templateVars(s)));
  const secrets: string[] = [];
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(check.headers ?? {})) {
    if ('secretRef' in value) {
      const secret = resolveSecret(s, value.secretRef, `check ${check.name}: header ${name}`);
      secrets.push(secret);
      headers[name] = secret;
    } else headers[name] = value.value;
  }
  try {
    const res = await fetch(url, {
      method: check.method,
      headers,
      redirect: 'manual',
      signal: AbortSignal.any([s.signal, AbortSignal.timeout(check.timeoutSeconds * 1000)]),
    });
    const body = redactSecrets(await readBounded(res), secrets);
    const verdict = httpAnswerOk(check, res.status, body);
    return { at, ok: verdict.ok, summary: redactSecrets(verdict.why, secrets), status: res.status, body: bodyExcerpt(body) };
  } catch (err) {
    if (s.signal.aborted) throw err;
    const error = redactSecrets(errorText(err), secrets);
    return { at, ok: false, summary: `request failed: ${error}`, error };
  }
}

/** One instant query of a Prometheus check (`GET <serverUrl>/api/v1/query?query=…`). */
export async function samplePrometheus(s: SampleContext, check: PrometheusCheck): Promise<SampleEvidence> {
  const at = new Date().toISOString();
  const base = allowedUrl(s, `check ${check.name}: serverUrl`, check.serverUrl).replace(/\/+$/, '');
  const query = expandCheckTemplate(check.query, templateVars(s));
  const token = check.tokenRef ? resolveSecret(s, check.tokenRef, `check ${check.name}: tokenRef`) : undefined;
  const secrets = token ? [token] : [];
  try {
    const res = await fetch(`${base}/api/v1/query?${new URLSearchParams({ query }).toString()}`, {
      headers: { Accept: 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      redirect: 'manual',
      signal: AbortSignal.any([s.signal, AbortSignal.timeout(check.timeoutSeconds * 1000)]),
    });
    const text = redactSecrets(await readBounded(res), secrets);
    let doc: { status?: unknown; data?: unknown; errorType?: unknown; error?: unknown };
    try {
      doc = JSON.parse(text) as typeof doc;
    } catch {
      return { at, ok: false, summary: `HTTP ${res.status}: not a Prometheus answer`, status: res.status, body: bodyExcerpt(text) };
    }
    if (doc.status !== 'success') {
      const error = bodyExcerpt(`${String(doc.errorType ?? 'error')}: ${String(doc.error ?? `HTTP ${res.status}`)}`);
      return { at, ok: false, summary: `query failed: ${error}`, status: res.status, error };
    }
    return { at, status: res.status, ...judgePrometheusData(check, doc.data) };
  } catch (err) {
    if (s.signal.aborted) throw err;
    const error = redactSecrets(errorText(err), secrets);
    return { at, ok: false, summary: `query failed: ${error}`, error };
  }
}

/** One read of every application of the environment (every cluster): all must be Synced and Healthy. */
export async function sampleHealth(s: SampleContext): Promise<SampleEvidence> {
  const at = new Date().toISOString();
  try {
    const apps = await targetApplications(s.deps, s.ctx);
    const states = await Promise.all(
      apps.map(async (a) => {
        const app = await a.target.argo().getApplication(a.name, { project: a.target.argocd.project });
        return { name: a.label, sync: app.status?.sync?.status ?? 'Unknown', health: app.status?.health?.status ?? 'Unknown' };
      }),
    );
    return { at, ...judgeHealth(states) };
  } catch (err) {
    if (s.signal.aborted) throw err;
    const error = errorText(err);
    return { at, ok: false, summary: `Argo CD read failed: ${error}`, error };
  }
}

export function sampleCheck(s: SampleContext, check: VerificationCheck): Promise<SampleEvidence> {
  switch (check.kind) {
    case 'http':
      return sampleHttp(s, check);
    case 'prometheus':
      return samplePrometheus(s, check);
    case 'argocd-health':
      return sampleHealth(s);
    default: {
      const never: never = check;
      throw new Error(`unknown check ${JSON.stringify(never)}`);
    }
  }
}
