// The PromQL subset the simulator's Prometheus understands: one instant vector selector,
//   metric_name
//   metric_name{label="value", other!="value"}
//   {label="value"}                       (at least one matcher with a non-empty value, as Prometheus requires)
// with double- or single-quoted values (escapes \\ \" \' \n \t). Regex matchers (=~, !~), functions, operators,
// aggregations, ranges, offsets and @ modifiers are refused with a parse error (bad_data), never a crash. The
// scanner is a single left-to-right pass without backtracking or regular expressions over the input: linear time.

export interface Matcher {
  label: string;
  op: '=' | '!=';
  value: string;
}

export interface Selector {
  /** Empty when the selector has no metric name. */
  name: string;
  matchers: Matcher[];
}

export class PromQLError extends Error {
  override readonly name = 'PromQLError';
  constructor(
    readonly column: number,
    message: string,
  ) {
    super(message);
  }
}

/** Longest query accepted (the simulator is a test double: real Prometheus has other limits). */
export const MAX_QUERY_LENGTH = 8_192;

const isNameStart = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c === ':';
const isNameChar = (c: string) => isNameStart(c) || (c >= '0' && c <= '9');
const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r';
const ESCAPES: Record<string, string> = { '\\': '\\', '"': '"', "'": "'", n: '\n', t: '\t' };

export function parseSelector(query: string): Selector {
  if (query.length > MAX_QUERY_LENGTH) throw new PromQLError(1, `query longer than ${MAX_QUERY_LENGTH} characters`);
  let i = 0;
  const fail = (message: string): never => {
    throw new PromQLError(i + 1, message);
  };
  const peek = () => query[i] ?? '';
  const skipSpace = () => {
    while (i < query.length && isSpace(peek())) i++;
  };
  const ident = (labelOnly: boolean): string => {
    const start = i;
    if (!isNameStart(peek()) || (labelOnly && peek() === ':')) return '';
    while (i < query.length && isNameChar(peek()) && !(labelOnly && peek() === ':')) i++;
    return query.slice(start, i);
  };
  const str = (): string => {
    const quote = peek();
    if (quote !== '"' && quote !== "'") fail(`unexpected ${describe(peek())} in label matching, expected string`);
    i++;
    let out = '';
    for (;;) {
      if (i >= query.length) fail('unterminated quoted string');
      const c = peek();
      i++;
      if (c === quote) return out;
      if (c === '\\') {
        const e = ESCAPES[peek()];
        if (e === undefined) fail(`unknown escape sequence ${describe(peek())}`);
        out += e;
        i++;
      } else out += c;
    }
  };

  skipSpace();
  if (i >= query.length) fail('no expression found in input');
  const name = ident(false);
  const matchers: Matcher[] = [];
  skipSpace();
  if (peek() === '{') {
    i++;
    for (;;) {
      skipSpace();
      if (peek() === '}') {
        i++;
        break;
      }
      const label = ident(true);
      if (!label) fail(`unexpected ${describe(peek())} in label matching, expected label`);
      skipSpace();
      let op: Matcher['op'];
      if (query.startsWith('!=', i)) {
        op = '!=';
        i += 2;
      } else if (query.startsWith('=~', i) || query.startsWith('!~', i)) {
        fail('regular expression matchers (=~, !~) are not supported by the simulator');
      } else if (peek() === '=') {
        op = '=';
        i++;
      } else fail(`unexpected ${describe(peek())} in label matching, expected label matching operator`);
      skipSpace();
      matchers.push({ label, op: op!, value: str() });
      skipSpace();
      if (peek() === ',') i++;
      else if (peek() !== '}') fail(`unexpected ${describe(peek())} in label matching, expected "," or "}"`);
    }
  } else if (!name) fail(`unexpected ${describe(peek())}`);
  skipSpace();
  if (i < query.length) fail(`unexpected ${describe(peek())}: only a vector selector is supported by the simulator`);
  if (!name && !matchers.some((m) => m.value !== '' && m.op === '=')) {
    fail('vector selector must contain at least one non-empty matcher');
  }
  const nameMatcher = matchers.find((m) => m.label === '__name__' && m.op === '=');
  return { name: name || (nameMatcher?.value ?? ''), matchers: matchers.filter((m) => m !== nameMatcher || name !== '') };
}

function describe(c: string): string {
  return c === '' ? 'end of input' : JSON.stringify(c);
}

/** Whether a series (its name and labels) matches the selector; an absent label matches "". */
export function matches(sel: Selector, name: string, labels: Record<string, string>): boolean {
  if (sel.name && sel.name !== name) return false;
  const all: Record<string, string> = { ...labels, __name__: name };
  return sel.matchers.every((m) => ((all[m.label] ?? '') === m.value) === (m.op === '='));
}
