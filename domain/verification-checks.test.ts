// The verdicts of the verification checks (pure): HTTP consecutive successes (pass, fail when unreachable, flap),
// Prometheus comparisons and noData, the health hold, evidence bounds, secret redaction, and the target policy on
// check URLs and secret references.
import { describe, expect, it } from 'vitest';
import {
  initialProgress,
  judgeHealth,
  judgePrometheusData,
  judgeSample,
  MAX_EVIDENCE_SAMPLES,
  httpAnswerOk,
  plannedSamples,
  redactSecrets,
  type SampleEvidence,
} from './verification-checks.js';
import { checkVerificationPolicy } from './verification-policy.js';
import { PrometheusCheck, VerificationCheck, VerificationConfig } from './verification.js';
import { DEFAULT_TARGET_POLICY } from './target-policy.js';

const http = VerificationCheck.parse({
  kind: 'http',
  name: 'h',
  url: 'http://x/health',
  successesRequired: 2,
  intervalSeconds: 1,
  durationSeconds: 3,
});
const prom = PrometheusCheck.parse({ kind: 'prometheus', name: 'p', serverUrl: 'http://prom', query: 'm', op: '<', threshold: 0.1 });
const hold = VerificationCheck.parse({ kind: 'argocd-health', name: 'a', intervalSeconds: 1, durationSeconds: 2 });
const s = (ok: boolean): SampleEvidence => ({ at: 'now', ok, summary: ok ? 'good' : 'bad' });

function run(check: VerificationCheck, oks: boolean[]) {
  let p = initialProgress(check);
  for (const ok of oks) {
    if (p.outcome !== 'running') break;
    p = judgeSample(check, p, s(ok));
  }
  return p;
}

describe('check verdicts', () => {
  it('plans one sample at the start and one per interval', () => {
    expect(plannedSamples(http)).toBe(4);
    expect(plannedSamples({ durationSeconds: 0, intervalSeconds: 10 })).toBe(1);
  });

  it.each([
    [[true, true], 'passed', 2],
    [[false, true, true], 'passed', 3],
    [[true, false, true, false], 'failed', 4],
    [[false, false, false], 'failed', 3],
    [[true, false, true], 'running', 3],
  ] as const)('HTTP %j → %s after %i sample(s)', (oks, outcome, samples) => {
    const p = run(http, [...oks]);
    expect(p.outcome).toBe(outcome);
    expect(p.samples).toBe(samples);
  });

  it('Prometheus and the health hold fail at the first bad sample (flapping fails) and pass after every sample', () => {
    expect(run(hold, [true, true, true]).outcome).toBe('passed');
    const flap = run(hold, [true, false, true]);
    expect(flap.outcome).toBe('failed');
    expect(flap.samples).toBe(2);
    expect(run(prom, [true]).outcome).toBe('running'); // duration 60 s / 10 s: 7 samples planned
  });

  it('keeps only the newest evidence', () => {
    const long = VerificationCheck.parse({ ...hold, durationSeconds: 100 });
    expect(run(long, Array(20).fill(true)).evidence).toHaveLength(MAX_EVIDENCE_SAMPLES);
  });

  it('judges Prometheus answers: every series, NaN and empty results as noData says', () => {
    const vector = (...values: string[]) => ({
      resultType: 'vector',
      result: values.map((v, i) => ({ metric: { __name__: 'm', i: String(i) }, value: [1, v] })),
    });
    expect(judgePrometheusData(prom, vector('0.01', '0.02')).ok).toBe(true);
    const bad = judgePrometheusData(prom, vector('0.01', '0.5'));
    expect(bad.ok).toBe(false);
    expect(bad.summary).toContain('m{i="1"} = 0.5, not < 0.1');
    expect(bad.values?.[0]).toEqual({ series: 'm{i="1"}', value: '0.5' });
    expect(judgePrometheusData(prom, vector()).ok).toBe(false);
    expect(judgePrometheusData({ ...prom, noData: 'pass' }, vector()).ok).toBe(true);
    expect(judgePrometheusData(prom, vector('NaN')).ok).toBe(false);
    expect(judgePrometheusData({ ...prom, noData: 'pass' }, vector('NaN', '0.01')).ok).toBe(true);
    expect(judgePrometheusData({ ...prom, noData: 'pass' }, vector('NaN', '0.5')).ok).toBe(false);
    expect(judgePrometheusData(prom, vector('+Inf')).ok).toBe(false);
    expect(judgePrometheusData(prom, { resultType: 'scalar', result: [1, '0.05'] }).ok).toBe(true);
    expect(judgePrometheusData(prom, { resultType: 'matrix', result: [] }).ok).toBe(false);
  });

  it('judges HTTP answers: status, and a JSON path with or without an expected value', () => {
    expect(httpAnswerOk({ expectStatus: 200 }, 200, '').ok).toBe(true);
    expect(httpAnswerOk({ expectStatus: 200 }, 503, '').why).toBe('HTTP 503, expected 200');
    expect(httpAnswerOk({ expectStatus: 200, jsonPath: 'status.ready', expectValue: true }, 200, '{"status":{"ready":true}}').ok).toBe(
      true,
    );
    expect(httpAnswerOk({ expectStatus: 200, jsonPath: '$.checks.0.ok' }, 200, '{"checks":[{"ok":false}]}').ok).toBe(false);
    expect(httpAnswerOk({ expectStatus: 200, jsonPath: 'a' }, 200, 'not json').ok).toBe(false);
    expect(httpAnswerOk({ expectStatus: 200, jsonPath: 'version', expectValue: '1.2' }, 200, '{"version":"1.3"}').why).toContain(
      'expected "1.2"',
    );
  });

  it('judges the health hold: every application Synced and Healthy, none found fails', () => {
    expect(judgeHealth([{ name: 'a', sync: 'Synced', health: 'Healthy' }]).ok).toBe(true);
    expect(judgeHealth([{ name: 'a', sync: 'Synced', health: 'Degraded' }]).summary).toBe('a: Synced/Degraded');
    expect(judgeHealth([]).ok).toBe(false);
  });

  it('redacts secrets', () => {
    expect(redactSecrets('echo: Bearer s3cr3t-token!', ['s3cr3t-token'])).toBe('echo: Bearer [redacted]!');
  });
});

describe('checkVerificationPolicy', () => {
  const config = (checks: unknown[]) => VerificationConfig.parse({ checks });
  const policy = { ...DEFAULT_TARGET_POLICY, allowedHosts: ['*.example.com', 'prom.internal:9090'] };
  it.each([
    [{ kind: 'http', name: 'a', url: 'https://{env}.example.com/health' }, []],
    [{ kind: 'http', name: 'a', url: 'https://evil.test/health' }, ['verification.checks.0.url']],
    [{ kind: 'http', name: 'a', url: 'https://u:p@api.example.com/' }, ['verification.checks.0.url']],
    [{ kind: 'http', name: 'a', url: 'ftp://api.example.com/' }, ['verification.checks.0.url']],
    [
      { kind: 'http', name: 'a', url: 'https://api.example.com/', headers: { Authorization: { secretRef: 'env:PATH' } } },
      ['verification.checks.0.headers.Authorization.secretRef'],
    ],
    [{ kind: 'http', name: 'a', url: 'https://api.example.com/', headers: { Authorization: { secretRef: 'env:FC_SECRET_X' } } }, []],
    [{ kind: 'prometheus', name: 'p', serverUrl: 'http://prom.internal:9090', query: 'm', op: '<', threshold: 1 }, []],
    [
      { kind: 'prometheus', name: 'p', serverUrl: 'http://prom.internal:9091', query: 'm', op: '<', threshold: 1 },
      ['verification.checks.0.serverUrl'],
    ],
    [
      {
        kind: 'prometheus',
        name: 'p',
        serverUrl: 'http://prom.internal:9090',
        query: 'm',
        op: '<',
        threshold: 1,
        tokenRef: 'file:/etc/passwd',
      },
      ['verification.checks.0.tokenRef'],
    ],
  ])('%j → %j', (check, paths) => {
    expect(checkVerificationPolicy('staging', config([check]), policy).map((p) => p.path)).toEqual(paths);
  });
});
