/** The line diff behind `check`: correct, minimal, and printed as unified hunks. */
import { diffLines, splitLines, unifiedDiff } from '../../lib/gitops/line-diff';

/** Length of a longest common subsequence, by dynamic programming: the reference for minimality. */
function lcs(a: string[], b: string[]): number {
  const t = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) t[i][j] = a[i] === b[j] ? t[i + 1][j + 1] + 1 : Math.max(t[i + 1][j], t[i][j + 1]);
  return t[0][0];
}

/** A deterministic pseudo-random generator (no flaky inputs). */
function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

describe('diffLines', () => {
  test('turns a into b with as few changes as possible, on many random inputs', () => {
    const next = rng(7);
    for (let round = 0; round < 300; round++) {
      const line = () => 'abcde'[Math.floor(next() * 5)];
      const a = Array.from({ length: Math.floor(next() * 12) }, line);
      const b = Array.from({ length: Math.floor(next() * 12) }, line);
      const ops = diffLines(a, b);
      expect(ops.filter((o) => o.op !== '+').map((o) => o.line)).toEqual(a);
      expect(ops.filter((o) => o.op !== '-').map((o) => o.line)).toEqual(b);
      expect(ops.filter((o) => o.op === ' ').length).toBe(lcs(a, b));
    }
  });

  test('replaces a very different middle wholesale, still turning a into b', () => {
    const a = Array.from({ length: 5000 }, (_, i) => `a${i}`);
    const b = Array.from({ length: 5000 }, (_, i) => `b${i}`);
    const ops = diffLines(['same', ...a, 'end'], ['same', ...b, 'end']);
    expect(ops.filter((o) => o.op !== '+').map((o) => o.line)).toEqual(['same', ...a, 'end']);
    expect(ops.filter((o) => o.op !== '-').map((o) => o.line)).toEqual(['same', ...b, 'end']);
  });

  test('identical and empty inputs', () => {
    expect(diffLines([], [])).toEqual([]);
    expect(diffLines(['x'], ['x'])).toEqual([{ op: ' ', line: 'x', a: 0, b: 0 }]);
    expect(diffLines([], ['x']).map((o) => o.op)).toEqual(['+']);
  });
});

describe('unifiedDiff', () => {
  test('one hunk with three lines of context and 1-based line numbers', () => {
    const before = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'].join('\n') + '\n';
    const after = before.replace('5\n', 'five\n');
    expect(unifiedDiff(before, after)).toEqual(['@@ -2,7 +2,7 @@', ' 2', ' 3', ' 4', '-5', '+five', ' 6', ' 7', ' 8']);
  });

  test('changes far apart make separate hunks', () => {
    const lines = Array.from({ length: 20 }, (_, i) => `l${i + 1}`);
    const after = ['new', ...lines.slice(0, 17), 'changed', ...lines.slice(18)];
    const hunks = unifiedDiff(lines.join('\n'), after.join('\n')).filter((l) => l.startsWith('@@'));
    expect(hunks).toEqual(['@@ -1,3 +1,4 @@', '@@ -15,6 +16,6 @@']);
  });

  test('a pure insertion names the line it follows', () => {
    expect(unifiedDiff('a\nb\nc\nd\ne\n', 'a\nb\nc\nd\ne\nf\n', { context: 0 })).toEqual(['@@ -5,0 +6,1 @@', '+f']);
  });

  test('no difference, no output; long diffs are cut with a count', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n')).toEqual([]);
    const many = unifiedDiff(Array.from({ length: 50 }, (_, i) => `a${i}`).join('\n'), Array.from({ length: 50 }, (_, i) => `b${i}`).join('\n'), { maxLines: 10 });
    expect(many).toHaveLength(11);
    expect(many[10]).toBe('… 91 more diff lines in this file');
  });

  test('splitLines ignores the final newline', () => {
    expect(splitLines('a\nb\n')).toEqual(['a', 'b']);
    expect(splitLines('')).toEqual([]);
  });
});
