// A small unified diff of two texts (line based, longest common subsequence), for showing what a promotion
// would change in a values file. Pure; meant for files of a few hundred lines, so quadratic is fine and
// bounded: beyond MAX_DIFF_LINES the diff says so instead of computing.

export const MAX_DIFF_LINES = 4000;
const CONTEXT = 3;

type Op = { kind: ' ' | '-' | '+'; line: string; a: number; b: number };

function lines(text: string | undefined): string[] {
  if (text === undefined || text === '') return [];
  const out = text.split('\n');
  if (out[out.length - 1] === '') out.pop();
  return out;
}

function operations(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  // lcs[i][j]: length of the LCS of a[i..] and b[j..], as one flat array.
  const lcs = new Uint32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i -= 1) {
    for (let j = m - 1; j >= 0; j -= 1) {
      lcs[i * (m + 1) + j] =
        a[i] === b[j]
          ? (lcs[(i + 1) * (m + 1) + j + 1] ?? 0) + 1
          : Math.max(lcs[(i + 1) * (m + 1) + j] ?? 0, lcs[i * (m + 1) + j + 1] ?? 0);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      ops.push({ kind: ' ', line: a[i] ?? '', a: i, b: j });
      i += 1;
      j += 1;
    } else if (i < n && (j >= m || (lcs[(i + 1) * (m + 1) + j] ?? 0) >= (lcs[i * (m + 1) + j + 1] ?? 0))) {
      // Removals before additions, as diff(1) prints them.
      ops.push({ kind: '-', line: a[i] ?? '', a: i, b: j });
      i += 1;
    } else {
      ops.push({ kind: '+', line: b[j] ?? '', a: i, b: j });
      j += 1;
    }
  }
  return ops;
}

/**
 * `--- a/<path>` / `+++ b/<path>` and `@@ -l,n +l,n @@` hunks with three lines of context; '' when equal.
 * `before` undefined means the file does not exist yet (`--- /dev/null`).
 */
export function unifiedDiff(path: string, before: string | undefined, after: string): string {
  if (before === after) return '';
  const a = lines(before);
  const b = lines(after);
  const header = `--- ${before === undefined ? '/dev/null' : `a/${path}`}\n+++ b/${path}\n`;
  if (a.length > MAX_DIFF_LINES || b.length > MAX_DIFF_LINES) {
    return `${header}@@ file too large to show (more than ${MAX_DIFF_LINES} lines) @@\n`;
  }
  const ops = operations(a, b);
  const changed = ops.map((op, k) => (op.kind === ' ' ? -1 : k)).filter((k) => k >= 0);
  if (changed.length === 0) return `${header}@@ only the final newline differs @@\n`;
  // Group changes whose context windows touch into one hunk.
  const hunks: Array<[number, number]> = [];
  for (const k of changed) {
    const start = Math.max(0, k - CONTEXT);
    const end = Math.min(ops.length - 1, k + CONTEXT);
    const last = hunks[hunks.length - 1];
    if (last && start <= last[1] + 1) last[1] = end;
    else hunks.push([start, end]);
  }
  let out = header;
  for (const [start, end] of hunks) {
    const slice = ops.slice(start, end + 1);
    const first = slice[0] as Op;
    const aCount = slice.filter((o) => o.kind !== '+').length;
    const bCount = slice.filter((o) => o.kind !== '-').length;
    out += `@@ -${aCount === 0 ? first.a : first.a + 1},${aCount} +${bCount === 0 ? first.b : first.b + 1},${bCount} @@\n`;
    for (const op of slice) out += `${op.kind}${op.line}\n`;
  }
  return out;
}
