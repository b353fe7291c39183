// In-place editing of existing YAML files for the image mappings (helm-values.ts, kustomize.ts, manifests.ts).
// The yaml Document API holds the file; every change is made on the document, and the output is chosen per
// document for the smallest faithful diff:
//   - only existing scalars changed → the new values are spliced into the original text at the scalars' source
//     ranges, in the scalar's own quoting style: every other byte (comments, their spacing, indentation, blank
//     lines, key order) stays exactly as it was — a promotion changes the image lines and nothing else;
//   - a key added or removed, a list entry appended → that document is printed by yaml's stringifier with the
//     file's own indentation (detected: `indent`, and `indentSeq` for `key:\n- item` lists); comments, order and
//     quoting survive, whitespace inside that document may be normalised once;
//   - untouched documents of a multi-document file are copied byte for byte.
// Pure and deterministic: the output depends only on the input text and the edits.
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  parse,
  parseAllDocuments,
  parseDocument,
  Scalar,
  YAMLMap,
  type YAMLSeq,
  type Document,
  type Pair,
} from 'yaml';
import type { YamlPathSegment } from '../../domain/image-mapping.js';
import { ValuesRenderError } from '../errors.js';

interface Replacement {
  start: number;
  end: number;
  text: string;
}

interface DocState {
  replacements: Replacement[];
  structural: boolean;
  changed: boolean;
}

export function keyOf(pair: Pair<unknown, unknown>): string {
  return isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
}

export function findPair(map: YAMLMap, key: string): Pair<unknown, unknown> | undefined {
  return map.items.find((p) => isPair(p) && keyOf(p) === key);
}

/** A scalar's value as text (undefined for anything else), e.g. `kind`, `metadata.name`, a list item's `name`. */
export function scalarText(node: unknown): string | undefined {
  return isScalar(node) && node.value !== null && typeof node.value !== 'object' ? String(node.value) : undefined;
}

/**
 * Whether `value` can be written as a plain scalar and read back as the same string (else it is double-quoted) —
 * by a YAML 1.2 reader and by a YAML 1.1 one too (Helm and kustomize read `yes`, `on`, `0x1F`, `1:20` as non-strings).
 */
function plainSafe(value: string): boolean {
  if (value === '' || /[,[\]{}#&*!|>'"%@`]/.test(value[0] ?? '') || /[,[\]{}]|: | #/.test(value) || value.trim() !== value) return false;
  try {
    return parse(value) === value && parse(value, { version: '1.1' }) === value;
  } catch {
    return false;
  }
}

function quoted(value: string, type: Scalar.Type | undefined): string {
  if (type === Scalar.QUOTE_SINGLE) return `'${value.replaceAll("'", "''")}'`;
  return JSON.stringify(value);
}

/** A YAML file (one document, or several for manifests) being edited. */
export class YamlFile {
  readonly docs: Document.Parsed[];
  private readonly states: DocState[];

  constructor(
    readonly file: string,
    readonly text: string,
    multi: boolean,
  ) {
    const docs = multi ? parseAllDocuments(text) : [parseDocument(text)];
    this.docs = Array.isArray(docs) ? docs : [];
    for (const doc of this.docs) {
      const first = doc.errors[0];
      if (first) {
        // The parser's message quotes the offending line: report its code and position only, never content.
        const at = first.linePos?.[0];
        throw new ValuesRenderError(`${file}: not valid YAML (${first.code}${at ? ` at line ${at.line}, column ${at.col}` : ''})`);
      }
    }
    this.states = this.docs.map(() => ({ replacements: [], structural: false, changed: false }));
  }

  /** The top-level mapping of document `i`, or a render error naming the file. */
  root(i = 0): YAMLMap {
    const contents = this.docs[i]?.contents;
    if (!isMap(contents)) throw new ValuesRenderError(`${this.file}: the file must hold a YAML mapping at the top level`);
    return contents;
  }

  private state(i: number): DocState {
    const s = this.states[i];
    if (!s) throw new Error(`no document ${i} in ${this.file}`);
    return s;
  }

  /** Marks a change the caller made to document `i`'s structure (a key or item added or removed). */
  structural(i: number): void {
    const s = this.state(i);
    s.structural = true;
    s.changed = true;
  }

  /** Sets an existing scalar node to `value` (a string), keeping its quoting style where the value allows. */
  setScalar(i: number, node: Scalar, value: string): void {
    if (node.value === value) return;
    const s = this.state(i);
    s.changed = true;
    const block = node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED;
    const spliceable = !block && node.range && node.range[1] > node.range[0] && node.tag === undefined && node.anchor === undefined;
    node.value = value;
    delete node.tag;
    if (block || (node.type !== Scalar.QUOTE_SINGLE && node.type !== Scalar.QUOTE_DOUBLE && !plainSafe(value))) {
      node.type = Scalar.QUOTE_DOUBLE;
    }
    if (spliceable && node.range) {
      const text = node.type === Scalar.PLAIN ? value : quoted(value, node.type);
      s.replacements.push({ start: node.range[0], end: node.range[1], text });
    } else {
      s.structural = true;
    }
  }

  /**
   * Sets `key` of `map` to the string `value`: the existing scalar in place, else a new pair appended at the end
   * of the map (`quote`: a new value is double-quoted, for tags, digests and ids that must stay strings).
   */
  setKey(i: number, map: YAMLMap, key: string, value: string, quote: boolean, where = '', after: readonly string[] = []): void {
    const pair = findPair(map, key);
    if (pair && isScalar(pair.value)) return this.setScalar(i, pair.value, value);
    if (pair && pair.value !== null && pair.value !== undefined) {
      throw new ValuesRenderError(`${this.file}: ${where || key} is not a scalar; cannot write a value there`);
    }
    const node = new Scalar(value);
    if (quote || !plainSafe(value)) node.type = Scalar.QUOTE_DOUBLE;
    if (pair) pair.value = node;
    else insertAfter(map, this.docs[i]?.createPair(key, node) as Pair<unknown, unknown>, after);
    this.structural(i);
  }

  /** Removes `key` from `map` when present. */
  deleteKey(i: number, map: YAMLMap, key: string): void {
    if (map.delete(key)) this.structural(i);
  }

  /** The map at `key` of `map`, created (appended) when absent or null; anything else is a render error. */
  ensureMap(i: number, map: YAMLMap, key: string, where: string): YAMLMap {
    const pair = findPair(map, key);
    if (pair && isMap(pair.value)) return pair.value;
    if (pair && !(isScalar(pair.value) && pair.value.value === null)) {
      throw new ValuesRenderError(`${this.file}: ${where} is not a mapping`);
    }
    const created = new YAMLMap();
    if (pair) pair.value = created;
    else map.items.push(this.docs[i]?.createPair(key, created) as Pair<unknown, unknown>);
    this.structural(i);
    return created;
  }

  /** The new text and whether it differs from the old. */
  output(): { content: string; changed: boolean } {
    if (!this.states.some((s) => s.changed)) return { content: this.text, changed: false };
    const style = detectStyle(this.text, this.docs);
    let out = '';
    let start = 0;
    this.docs.forEach((doc, i) => {
      const end = i === this.docs.length - 1 ? this.text.length : (doc.range[2] ?? this.text.length);
      const slice = this.text.slice(start, end);
      const s = this.state(i);
      if (!s.changed) out += slice;
      else if (s.structural) out += doc.toString({ lineWidth: 0, ...style });
      else out += splice(slice, start, s.replacements);
      start = end;
    });
    return { content: out, changed: out !== this.text };
  }
}

/** Inserts `pair` after the last existing key named in `after`, else at the end of the map. */
export function insertAfter(map: YAMLMap, pair: Pair<unknown, unknown>, after: readonly string[]): void {
  let at = -1;
  map.items.forEach((p, k) => {
    if (after.includes(keyOf(p))) at = k;
  });
  if (at < 0) map.items.push(pair);
  else map.items.splice(at + 1, 0, pair);
}

function splice(slice: string, offset: number, replacements: Replacement[]): string {
  let out = slice;
  for (const r of [...replacements].sort((a, b) => b.start - a.start)) {
    out = out.slice(0, r.start - offset) + r.text + out.slice(r.end - offset);
  }
  return out;
}

function columnOf(text: string, offset: number): number {
  return offset - (text.lastIndexOf('\n', offset - 1) + 1);
}

/**
 * The file's indentation as yaml's stringifier options: the first nested block map gives `indent`, the first
 * block list under a key tells whether its dashes are indented (`key:\n  - a`) or not (`key:\n- a`, common in
 * kustomizations). Visits a bounded number of nodes.
 */
function detectStyle(text: string, docs: Document.Parsed[]): { indent: number; indentSeq: boolean } {
  let indent: number | undefined;
  let indentSeq: boolean | undefined;
  const queue: unknown[] = docs.map((d) => d.contents);
  for (let visited = 0; queue.length > 0 && visited < 2000 && (indent === undefined || indentSeq === undefined); visited++) {
    const node = queue.shift();
    if (isMap(node) && !node.flow) {
      for (const pair of node.items) {
        const keyStart = isScalar(pair.key) ? pair.key.range?.[0] : undefined;
        const value = pair.value;
        if (keyStart !== undefined && (isMap(value) || isSeq(value)) && !value.flow && value.range && value.items.length > 0) {
          const delta = columnOf(text, value.range[0]) - columnOf(text, keyStart);
          if (isMap(value) && indent === undefined && delta > 0) indent = Math.min(delta, 8);
          if (isSeq(value) && indentSeq === undefined) indentSeq = delta > 0;
        }
        queue.push(value);
      }
    } else if (isSeq(node) && !node.flow) {
      queue.push(...node.items);
    }
  }
  return { indent: indent ?? 2, indentSeq: indentSeq ?? true };
}

// --- YAML paths over a document ------------------------------------------------------------------------

export type PathTarget =
  { ok: true; parent: YAMLMap; key: string; pair: Pair<unknown, unknown> | undefined } | { ok: false; message: string };

function render(segments: YamlPathSegment[], upTo: number): string {
  return segments
    .slice(0, upTo)
    .map((s) => (s.select ? `${s.key}[${s.select.key}=${s.select.value}]` : s.key))
    .join('.');
}

/**
 * Walks `segments` from `root` to the map holding the last key. `mustExist`: the last key must be present too
 * (else only its parent map must be). A path ending in a list selection names no key and is refused.
 */
export function resolvePath(root: unknown, segments: YamlPathSegment[], mustExist: boolean): PathTarget {
  let current: unknown = root;
  for (const [j, seg] of segments.entries()) {
    const at = render(segments, j) || '(top level)';
    if (isAlias(current)) return { ok: false, message: `${at} is an alias; Flow Controller does not write through aliases` };
    if (!isMap(current)) return { ok: false, message: `${at} is not a mapping` };
    const pair = findPair(current, seg.key);
    const last = j === segments.length - 1;
    if (last && !seg.select) {
      if (!pair && mustExist) return { ok: false, message: `no key "${seg.key}" in ${at}` };
      return { ok: true, parent: current, key: seg.key, pair };
    }
    if (!pair) return { ok: false, message: `no key "${seg.key}" in ${at}` };
    if (!seg.select) {
      current = pair.value;
      continue;
    }
    const list = pair.value;
    const here = render(segments, j + 1);
    if (!isSeq(list)) return { ok: false, message: `${render(segments, j)}${j > 0 ? '.' : ''}${seg.key} is not a list` };
    const { key, value } = seg.select;
    const matches = (list as YAMLSeq).items.filter((item) => isMap(item) && scalarText(item.get(key, true)) === value);
    if (matches.length === 0) return { ok: false, message: `no list item with ${key}=${value} at ${here}` };
    if (matches.length > 1) return { ok: false, message: `several list items with ${key}=${value} at ${here}` };
    if (last) return { ok: false, message: `${here} selects a list item; name a key below it (e.g. ${here}.image.tag)` };
    current = matches[0];
  }
  return { ok: false, message: 'empty path' };
}
