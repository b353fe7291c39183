// Several objects read by one git process (`git cat-file --batch`, names on its standard input) instead of
// one `git cat-file` per file: each git process costs a few milliseconds, and a promotion reads its files
// at every render (docs/benchmarks.md, "Two round trips and two git processes fewer").
import { GitPermanentError } from './errors.js';
import type { Workspace } from './workspace.js';

export interface GitObject {
  oid: string;
  type: string;
  content: string;
}

/**
 * The objects named by `names` (`<rev>^{commit}`, `<rev>:<path>`, …), in order; undefined for a name that
 * does not resolve. Undefined altogether when the batch cannot be used or its output cannot be split
 * exactly (a name with a line break; content that is not UTF-8): the caller then reads object by object.
 */
export async function readObjects(ws: Workspace, names: string[]): Promise<Array<GitObject | undefined> | undefined> {
  if (names.some((n) => n.includes('\n') || n.includes('\r'))) return undefined;
  let out;
  try {
    // Any exit code: a batch git gave up on is read again file by file, whose errors name the file (and never
    // carry other files' content, which a failed batch's output holds).
    out = await ws.git(['cat-file', '--batch'], { input: names.map((n) => `${n}\n`).join(''), okCodes: [0, 1, 128] });
  } catch (err) {
    // All files together beyond the engine's output bound: file by file, each within it as before.
    if (err instanceof GitPermanentError && err.details.command === 'cat-file') return undefined;
    throw err;
  }
  return out.code === 0 ? parseBatch(out.stdout, names.length) : undefined;
}

/** Splits `git cat-file --batch` output (`<oid> <type> <size>\n<content>\n` or `<name> missing\n` per object). */
export function parseBatch(stdout: string, count: number): Array<GitObject | undefined> | undefined {
  // Bytes that were not UTF-8 were decoded as U+FFFD: the sizes no longer describe the text.
  if (stdout.includes('\uFFFD')) return undefined;
  const bytes = Buffer.from(stdout, 'utf8');
  const objects: Array<GitObject | undefined> = [];
  let pos = 0;
  for (let i = 0; i < count; i++) {
    const eol = bytes.indexOf(0x0a, pos);
    if (eol < 0) return undefined;
    const header = bytes.toString('utf8', pos, eol);
    pos = eol + 1;
    const m = /^([0-9a-f]{40,64}) ([a-z]{1,10}) (\d{1,12})$/.exec(header);
    if (!m) {
      if (header.endsWith(' missing') || header.endsWith(' ambiguous')) {
        objects.push(undefined);
        continue;
      }
      return undefined;
    }
    const size = Number(m[3]);
    if (pos + size >= bytes.length || bytes[pos + size] !== 0x0a) return undefined;
    objects.push({ oid: m[1] as string, type: m[2] as string, content: bytes.toString('utf8', pos, pos + size) });
    pos += size + 1;
  }
  return pos === bytes.length ? objects : undefined;
}
