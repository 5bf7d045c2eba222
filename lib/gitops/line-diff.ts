/**
 * A line diff (Myers' O(ND) algorithm on the part between the common prefix and suffix) and its unified format,
 * for showing what changed in a generated file.
 */

export type LineOp = { readonly op: ' ' | '-' | '+'; readonly line: string; readonly a: number; readonly b: number };

/** Above this many differing lines the middle is shown as replaced wholesale: the output would be unreadable anyway. */
const MAX_EDIT_DISTANCE = 4000;

/** Edit script turning `a` into `b`; `a`/`b` on each op are 0-based line numbers before the op. */
export function diffLines(a: readonly string[], b: readonly string[]): LineOp[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const ops: LineOp[] = [];
  for (let i = 0; i < start; i++) ops.push({ op: ' ', line: a[i], a: i, b: i });
  ops.push(...middle(a, b, start, endA, endB));
  for (let i = endA, j = endB; i < a.length; i++, j++) ops.push({ op: ' ', line: a[i], a: i, b: j });
  return ops;
}

function middle(a: readonly string[], b: readonly string[], start: number, endA: number, endB: number): LineOp[] {
  const n = endA - start;
  const m = endB - start;
  const replaced = () => [
    ...a.slice(start, endA).map((line, i) => ({ op: '-' as const, line, a: start + i, b: start })),
    ...b.slice(start, endB).map((line, j) => ({ op: '+' as const, line, a: endA, b: start + j })),
  ];
  if (n === 0 || m === 0 || n + m > 2 * MAX_EDIT_DISTANCE) return replaced();
  const max = Math.min(n + m, MAX_EDIT_DISTANCE);
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= max && found < 0; d++) {
    trace.push(v.slice(offset - d - 1, offset + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[start + x] === b[start + y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
  }
  if (found < 0) return replaced();
  // Walk back through the saved frontiers; trace[d] holds v[-d-1 .. d+1] before step d.
  const ops: LineOp[] = [];
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const frame = trace[d];
    const at = (k: number) => frame[k + d + 1];
    const k = x - y;
    const prevK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
      ops.push({ op: ' ', line: a[start + x], a: start + x, b: start + y });
    }
    if (x === prevX) {
      y--;
      ops.push({ op: '+', line: b[start + y], a: start + x, b: start + y });
    } else {
      x--;
      ops.push({ op: '-', line: a[start + x], a: start + x, b: start + y });
    }
  }
  while (x > 0 && y > 0) {
    x--;
    y--;
    ops.push({ op: ' ', line: a[start + x], a: start + x, b: start + y });
  }
  return ops.reverse();
}

/** Unified diff hunks (`@@ -a,n +b,m @@`) with `context` lines around each change; at most `maxLines` lines. */
export function unifiedDiff(before: string, after: string, options: { context?: number; maxLines?: number } = {}): string[] {
  const context = options.context ?? 3;
  const maxLines = options.maxLines ?? Infinity;
  const ops = diffLines(splitLines(before), splitLines(after));
  const changed = ops.map((o, i) => (o.op === ' ' ? -1 : i)).filter((i) => i >= 0);
  if (!changed.length) return [];
  // Group changes whose context windows touch into one hunk.
  const hunks: [number, number][] = [];
  for (const i of changed) {
    const lo = Math.max(0, i - context);
    const hi = Math.min(ops.length - 1, i + context);
    const last = hunks[hunks.length - 1];
    if (last && lo <= last[1] + 1) last[1] = hi;
    else hunks.push([lo, hi]);
  }
  const out: string[] = [];
  for (const [lo, hi] of hunks) {
    const slice = ops.slice(lo, hi + 1);
    const aLen = slice.filter((o) => o.op !== '+').length;
    const bLen = slice.filter((o) => o.op !== '-').length;
    out.push(`@@ -${ops[lo].a + (aLen ? 1 : 0)},${aLen} +${ops[lo].b + (bLen ? 1 : 0)},${bLen} @@`);
    for (const o of slice) out.push(`${o.op}${o.line}`);
  }
  if (out.length > maxLines) {
    const hidden = out.length - maxLines;
    return [...out.slice(0, maxLines), `… ${hidden} more diff line${hidden === 1 ? '' : 's'} in this file`];
  }
  return out;
}

/** Lines of a text; a final newline does not make an extra empty line. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}
