// The moving-tag check (fitsPattern) against the regex it replaced: the same answers on random small inputs,
// and linear time on the inputs that made the regex backtrack for minutes (security audit finding 2).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fitsPattern } from './validate.js';
import { PLACEHOLDER_RE } from './descriptor.js';

/** The old implementation, kept here as the specification. */
function regexFits(templateTag: string, tag: string): boolean {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const source = templateTag
    .split(PLACEHOLDER_RE)
    .map((part, i) => (i % 2 === 0 ? escape(part) : '(.+)'))
    .join('');
  return new RegExp(`^${source}$`).test(tag);
}

// A tiny alphabet makes repeated and overlapping literals (the hard cases for a greedy scan) common.
const char = fc.constantFrom('a', 'b', '.', '-');
const literal = fc.array(char, { maxLength: 3 }).map((cs) => cs.join(''));
const template = fc
  .tuple(literal, fc.array(fc.tuple(fc.constantFrom('<A>', '<B>'), literal), { minLength: 1, maxLength: 4 }))
  .map(([head, rest]) => head + rest.map(([ph, lit]) => ph + lit).join(''));
const tag = fc.array(char, { maxLength: 12 }).map((cs) => cs.join(''));

describe('fitsPattern', () => {
  it('answers exactly what the old regex answered (random small templates and tags)', () => {
    fc.assert(
      fc.property(template, tag, (t, s) => fitsPattern(t, s) === regexFits(t, s)),
      { numRuns: 20_000 },
    );
  });

  it('answers exactly what the old regex answered for tags built from the template (mostly matches)', () => {
    const filled = template.chain((t) =>
      fc.array(fc.array(char, { minLength: 0, maxLength: 3 }), { minLength: 8, maxLength: 8 }).map(
        (fills) =>
          [
            t,
            t
              .split(PLACEHOLDER_RE)
              .map((part, i) => (i % 2 === 0 ? part : (fills[i >> 1] ?? []).join('')))
              .join(''),
          ] as const,
      ),
    );
    fc.assert(
      fc.property(filled, ([t, s]) => fitsPattern(t, s) === regexFits(t, s)),
      { numRuns: 20_000 },
    );
  });

  it.each([
    ['<A>-alpine', '1.2-alpine', true],
    ['<A>-alpine', '1.2', false],
    ['<A>-alpine', '-alpine', false],
    ['v<MAJOR>.<MINOR>', 'v1.2', true],
    ['v<MAJOR>.<MINOR>', 'v1.2.3', true],
    ['v<MAJOR>.<MINOR>', 'v.2', false],
    ['<A>.<B>', 'a..b', true],
    ['<A><B>', 'a', false],
    ['<A><B>', 'ab', true],
    ['ab<A>ba', 'aba', false],
    ['ab<A>ba', 'abxba', true],
    ['<A>a<B>a<C>', 'xaaax', true],
    ['<A>a<B>a<C>', 'xaax', false],
    ['<RELEASE_TAG>', `sha256:${'0'.repeat(64)}`, true],
    ['pinned', 'pinned', true],
    ['pinned', 'other', false],
  ] as const)('%s fits %s: %s', (t, s, expected) => {
    expect(fitsPattern(t, s)).toBe(expected);
    expect(regexFits(t, s)).toBe(expected);
  });

  it('is linear: 60 adjacent placeholders against a 128-character tag that almost fits', () => {
    // The regex explores C(127, 59) splits here before saying no; the scan looks at each character once.
    const templateTag = `${'<A>'.repeat(60)}x`;
    const started = performance.now();
    expect(fitsPattern(templateTag, 'a'.repeat(128))).toBe(false);
    expect(fitsPattern(templateTag, `${'a'.repeat(127)}x`)).toBe(true);
    expect(fitsPattern(`${'<A>a'.repeat(60)}x`, 'a'.repeat(128))).toBe(false);
    expect(performance.now() - started).toBeLessThan(50);
  });
});
