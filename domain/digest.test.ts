import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canonicalJson } from './canonical.js';
import { digestOf } from './digest.js';

describe('canonical JSON digest', () => {
  it('is stable across key order and whitespace', () => {
    const a = JSON.parse(
      '{"infra":{"gateway":{"Deployment":{"containers":{"gateway":{"repo":"org/gateway","tag":"stable"}}}}},"core":{"api":{"Deployment":{"containers":{"api":{"tag":"1","repo":"org/api"}}}}}}',
    );
    const b = JSON.parse(`{
      "core": { "api": { "Deployment": { "containers": { "api": { "repo": "org/api", "tag": "1" } } } } },
      "infra": { "gateway": { "Deployment": { "containers": { "gateway": { "tag": "stable", "repo": "org/gateway" } } } } }
    }`);
    expect(digestOf(a)).toBe(digestOf(b));
    expect(digestOf(a)).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(canonicalJson(a)).toBe(
      '{"core":{"api":{"Deployment":{"containers":{"api":{"repo":"org/api","tag":"1"}}}}},"infra":{"gateway":{"Deployment":{"containers":{"gateway":{"repo":"org/gateway","tag":"stable"}}}}}}',
    );
  });

  it('changes when any value changes', () => {
    expect(digestOf({ a: { b: '1' } })).not.toBe(digestOf({ a: { b: '2' } }));
    expect(digestOf({ a: [1, 2] })).not.toBe(digestOf({ a: [2, 1] }));
  });

  it('round-trips: canonical JSON parses back to an equal value, and key order never matters', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
        const reversed = JSON.parse(JSON.stringify(value), (_k, v: unknown) =>
          v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v,
        ) as unknown;
        expect(canonicalJson(reversed)).toBe(text);
      }),
      { numRuns: 300 },
    );
  });
});
