import { describe, expect, it } from 'vitest';
import { chooseAutoPromotion, type AutoPromoteConfig, type UpstreamRelease } from './auto-promotion.js';
import { EnvironmentConfig } from './environment.js';

const t0 = new Date('2026-12-01T10:00:00Z');
const at = (s: number) => new Date(t0.getTime() + s * 1000);
const rel = (seq: number, currentAtS: number, extra: Partial<UpstreamRelease> = {}): UpstreamRelease => ({
  releaseId: `r${seq}`,
  seq,
  productVersion: `1.0.${seq}`,
  becameCurrentAt: at(currentAtS),
  verified: true,
  excluded: null,
  ...extra,
});
const choose = (upstream: UpstreamRelease[], nowS: number, cfg: Partial<AutoPromoteConfig> = {}, currentSeq: number | null = null) =>
  chooseAutoPromotion({ config: { when: 'succeeded', soakSeconds: 600, ...cfg }, currentSeq, upstream, now: at(nowS) });

describe('chooseAutoPromotion', () => {
  it('waits for the soak, counted from when the release first became current upstream', () => {
    expect(choose([rel(1, 0)], 599)).toMatchObject({ kind: 'soaking', release: { seq: 1 }, eligibleAt: at(600) });
    expect(choose([rel(1, 0)], 600)).toMatchObject({ kind: 'eligible', release: { seq: 1 } });
  });

  it('a stream of newer releases upstream does not starve the last good one: each is eligible soakSeconds after it arrived', () => {
    // A new release every 5 minutes with a 10-minute soak: none stays current long enough, yet r1 goes at minute 10.
    const stream = [rel(1, 0), rel(2, 300), rel(3, 600), rel(4, 900)];
    expect(choose(stream, 600)).toMatchObject({ kind: 'eligible', release: { seq: 1 } });
    // Later, the newest whose soak ended (never an older one once a newer one is due).
    expect(choose(stream, 1250)).toMatchObject({ kind: 'eligible', release: { seq: 3 } });
    // Nothing newer than the target's current release.
    expect(choose(stream, 1250, {}, 4)).toMatchObject({ kind: 'none' });
    // With r3 current, r4 soaks until 1500.
    expect(choose(stream, 1250, {}, 3)).toMatchObject({ kind: 'soaking', release: { seq: 4 }, eligibleAt: at(1500) });
  });

  it('skips excluded releases (rejected, failed in the target, rolled back upstream) and, with when=verified, unverified ones', () => {
    const up = [rel(1, 0), rel(2, 10, { excluded: 'release r2 is rejected' })];
    expect(choose(up, 1000)).toMatchObject({ kind: 'eligible', release: { seq: 1 } });
    expect(choose([rel(2, 10, { excluded: 'release r2 is rejected' })], 1000)).toEqual({ kind: 'none', reason: 'release r2 is rejected' });
    const unverified = [rel(1, 0), rel(2, 10, { verified: false })];
    expect(choose(unverified, 1000, { when: 'verified' })).toMatchObject({ kind: 'eligible', release: { seq: 1 } });
    expect(choose(unverified, 1000, { when: 'succeeded' })).toMatchObject({ kind: 'eligible', release: { seq: 2 } });
    expect(choose([rel(2, 10, { verified: false })], 1000, { when: 'verified' })).toMatchObject({
      kind: 'none',
      reason: expect.stringContaining('not verified'),
    });
  });

  it('soak 0: at once', () => {
    expect(choose([rel(1, 0)], 0, { soakSeconds: 0 })).toMatchObject({ kind: 'eligible' });
  });
});

describe('autoPromote configuration', () => {
  const base = {
    displayOrder: 1,
    upstream: ['staging'],
    gitops: { repoUrl: 'file:///tmp/x', branch: 'main', pathPattern: 'envs/{env}/{group}/values.yaml' },
    argocd: { serverUrl: 'http://127.0.0.1:1', tokenRef: 'env:T' },
    kubernetes: { server: 'http://127.0.0.1:2', namespace: 'apps', tokenRef: 'env:T' },
  };
  const parse = (extra: Record<string, unknown>) => EnvironmentConfig.safeParse({ ...base, ...extra });

  it('defaults when to succeeded and soak to 0; from must be an upstream', () => {
    const ok = parse({ autoPromote: { from: 'staging' } });
    expect(ok.success ? ok.data.autoPromote : ok.error.issues).toEqual({ from: 'staging', when: 'succeeded', soakSeconds: 0 });
    const bad = parse({ autoPromote: { from: 'dev' } });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues)).toContain('upstream');
  });

  it('an environment that requires verified upstream releases auto-promotes only verified ones', () => {
    expect(parse({ upstreamRequires: 'verified', autoPromote: { from: 'staging' } }).success).toBe(false);
    expect(parse({ upstreamRequires: 'verified', autoPromote: { from: 'staging', when: 'verified' } }).success).toBe(true);
    expect(parse({ autoPromote: { from: 'staging', soakSeconds: -1 } }).success).toBe(false);
    expect(parse({ autoPromote: { from: 'staging', extra: 1 } }).success).toBe(false);
  });
});
