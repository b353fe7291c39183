import { describe, expect, it } from 'vitest';
import { unifiedDiff } from './text-diff.js';

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff('a.yaml', 'x: 1\n', 'x: 1\n')).toBe('');
  });

  it('shows a change with context and line numbers, removals first', () => {
    const before = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].join('\n') + '\n';
    const after = ['a', 'b', 'c', 'd', 'E', 'f', 'g', 'h', 'i'].join('\n') + '\n';
    expect(unifiedDiff('v.yaml', before, after)).toBe('--- a/v.yaml\n+++ b/v.yaml\n@@ -2,7 +2,7 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n');
  });

  it('a new file is diffed against /dev/null', () => {
    expect(unifiedDiff('n.yaml', undefined, 'x: 1\n')).toBe('--- /dev/null\n+++ b/n.yaml\n@@ -0,0 +1,1 @@\n+x: 1\n');
  });

  it('separate changes far apart make separate hunks', () => {
    const lines = Array.from({ length: 20 }, (_, i) => `l${i}`);
    const changed = lines.map((l, i) => (i === 1 || i === 18 ? `${l}!` : l));
    const out = unifiedDiff('f', lines.join('\n') + '\n', changed.join('\n') + '\n');
    expect(out.match(/^@@/gm)).toHaveLength(2);
  });
});
