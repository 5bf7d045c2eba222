/**
 * Rewrites CEL optional-chaining syntax (`a.?b.c`, `.hasValue()`, `.optMap(v, e).orValue(d)`, `has(a.?b)`) into
 * plain CEL, because the evaluator here does not parse it. The rewrite keeps the meaning: an optional chain is
 * present exactly when every field from the first `.?` on is present, and `optMap` binds its variable through a
 * one-element `all()` so the body needs no textual substitution.
 */

interface Segment {
  /** `.name` or `["key"]`. */
  text: string;
  field?: string;
  key?: string;
  optional: boolean;
}

interface Chain {
  start: number;
  end: number;
  root: string;
  segments: Segment[];
}

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;

/** Returns the rewritten expression, the input when it has no optional syntax, or undefined when it cannot. */
export function desugarOptionals(expr: string): string | undefined {
  let out = expr;
  for (let guard = 0; guard < 100; guard++) {
    const at = findOutsideStrings(out, '.?');
    if (at < 0) return out;
    const chain = chainAround(out, at);
    if (!chain) return undefined;
    const next = rewriteChain(out, chain);
    if (next === undefined) return undefined;
    out = next;
  }
  return undefined;
}

function findOutsideStrings(s: string, needle: string): number {
  let quote: string | undefined;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (s.startsWith(needle, i)) return i;
  }
  return -1;
}

/** Finds the identifier chain (`root.a.?b["k"]...`) that contains position `at`. */
function chainAround(s: string, at: number): Chain | undefined {
  let start = at;
  // Walk back over `.ident` and `["..."]` segments to the root identifier.
  for (;;) {
    let j = start - 1;
    if (s[j] === ']') {
      const open = s.lastIndexOf('[', j);
      if (open < 0) return undefined;
      start = open;
      continue;
    }
    while (j >= 0 && /[A-Za-z0-9_]/.test(s[j])) j--;
    if (j + 1 === start) return undefined;
    start = j + 1;
    if (s[j] === '.' || (s[j] === '?' && s[j - 1] === '.')) {
      start = s[j] === '?' ? j - 1 : j;
      continue;
    }
    break;
  }
  IDENT.lastIndex = start;
  const rootMatch = IDENT.exec(s);
  if (!rootMatch) return undefined;
  const segments: Segment[] = [];
  let i = start + rootMatch[0].length;
  for (;;) {
    const optional = s.startsWith('.?', i);
    const dot = optional ? i + 2 : s[i] === '.' ? i + 1 : -1;
    if (dot >= 0 && s[dot] !== '[') {
      IDENT.lastIndex = dot;
      const m = IDENT.exec(s);
      if (!m) break;
      // A method call ends the chain: `.hasValue()`, `.optMap(`, `.orValue(`.
      if (s[dot + m[0].length] === '(') break;
      segments.push({ text: `.${m[0]}`, field: m[0], optional });
      i = dot + m[0].length;
      continue;
    }
    const bracket = optional ? i + 2 : i;
    if (s[bracket] === '[') {
      const m = /^\[\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')\s*\]/.exec(s.slice(bracket));
      if (!m) return undefined;
      segments.push({ text: `[${m[1]}]`, key: m[1], optional });
      i = bracket + m[0].length;
      continue;
    }
    break;
  }
  if (!segments.some((x) => x.optional)) return undefined;
  return { start, end: i, root: rootMatch[0], segments };
}

function plain(c: Chain, upTo = c.segments.length): string {
  return c.root + c.segments.slice(0, upTo).map((x) => x.text).join('');
}

/** Presence of every segment from the first optional one on. */
function presence(c: Chain): string {
  const first = c.segments.findIndex((x) => x.optional);
  const terms: string[] = [];
  for (let k = first; k < c.segments.length; k++) {
    const seg = c.segments[k];
    const prefix = plain(c, k);
    terms.push(seg.field !== undefined ? `has(${prefix}.${seg.field})` : `${seg.key} in ${prefix}`);
  }
  return `(${terms.join(' && ')})`;
}

/** Index just past the parenthesis that closes the one at `open`. */
function closeParen(s: string, open: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = open; i < s.length; i++) {
    const ch = s[i];
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '(' || ch === '[') depth++;
    else if (ch === ')' || ch === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

function topLevelComma(s: string): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') depth--;
    else if (ch === ',' && depth === 0) return i;
  }
  return -1;
}

function rewriteChain(s: string, c: Chain): string | undefined {
  const before = s.slice(0, c.start);
  const after = s.slice(c.end);
  const has = presence(c);
  // has(a.?b.c)
  if (/has\(\s*$/.test(before) && /^\s*\)/.test(after)) {
    const open = before.lastIndexOf('has(');
    return s.slice(0, open) + has + after.replace(/^\s*\)/, '');
  }
  if (after.startsWith('.hasValue()')) return before + has + after.slice('.hasValue()'.length);
  if (after.startsWith('.orValue(')) {
    const close = closeParen(after, '.orValue'.length);
    if (close < 0) return undefined;
    const dflt = after.slice('.orValue('.length, close - 1);
    return `${before}(${has} ? ${plain(c)} : (${dflt}))${after.slice(close)}`;
  }
  if (after.startsWith('.optMap(')) {
    const close = closeParen(after, '.optMap'.length);
    if (close < 0) return undefined;
    const args = after.slice('.optMap('.length, close - 1);
    const comma = topLevelComma(args);
    if (comma < 0) return undefined;
    const v = args.slice(0, comma).trim();
    const body = args.slice(comma + 1).trim();
    const rest = after.slice(close);
    if (!rest.startsWith('.orValue(')) return undefined;
    const dClose = closeParen(rest, '.orValue'.length);
    if (dClose < 0) return undefined;
    const dflt = rest.slice('.orValue('.length, dClose - 1);
    // The body is boolean in validation rules, so `[x].all(v, body)` is the body with v bound to x.
    return `${before}(${has} ? [${plain(c)}].all(${v}, ${body}) : (${dflt}))${rest.slice(dClose)}`;
  }
  return undefined;
}
