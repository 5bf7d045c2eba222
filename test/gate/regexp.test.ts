/**
 * Patterns mean what RE2 says. The ones the gate runs on JavaScript's RegExp must match exactly the strings RE2
 * matches: checked on every pattern of the real CRDs and the Quantity pattern, and on random patterns of the whole
 * subset against strings made of the characters where the two engines could differ (newlines, astral and lone
 * surrogate code points, punctuation).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RE2JS } from 're2js';
import { defaultCrdDir } from '../../lib/gate';
import { QUANTITY_PATTERN } from '../../profiles/quantity';
import { sameInJavaScript } from '../../lib/gate/re2-subset';
import { re2 } from '../../lib/gate/regexp';

/** A small deterministic generator (mulberry32), so failures reproduce. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = ['a', 'b', 'z', 'A', '0', '9', '_', '-', '.', '/', ':', ' ', '\n', '\r', '\u2028', 'é', '😀', '\ud800', '[', ']', '^', '$', '+'];

function strings(rnd: () => number, n: number): string[] {
  const out = ['', 'a', '\n', '😀', '100Mi', '1.5Gi', '+1e3', '-.5', '1 core', 'http://x', 'repo1', 'a-b.c'];
  for (let i = 0; i < n; i++) {
    const len = Math.floor(rnd() * 8);
    out.push(Array.from({ length: len }, () => ALPHABET[Math.floor(rnd() * ALPHABET.length)]).join(''));
  }
  return out;
}

/** A random pattern of the subset (never a loop inside a loop). */
function subsetPattern(rnd: () => number, depth = 0): { src: string; loops: boolean } {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
  const atom = (): { src: string; loops: boolean; anchor?: boolean } => {
    const r = rnd();
    if (r < 0.3) return { src: pick(['a', 'b', 'z', '0', '-', '/', ':', ' ', '_']), loops: false };
    if (r < 0.4) return { src: pick(['\\.', '\\d', '\\w', '\\+', '\\$', '\\/', '\\(']), loops: false };
    if (r < 0.5) return { src: '.', loops: false };
    if (r < 0.7) return { src: pick(['[a-z]', '[^a]', '[-a-z0-9]', '[a-z0-9-]', '[.]', '[^./]', '[\\d_]', '[\\-+]', '[A-Za-z^$|]']), loops: false };
    if (r < 0.8) return { src: pick(['^', '$']), loops: false, anchor: true };
    if (depth > 2) return { src: 'a', loops: false };
    const inner = subsetPattern(rnd, depth + 1);
    return { src: `${pick(['(', '(?:'])}${inner.src})`, loops: inner.loops };
  };
  let src = '';
  let loops = false;
  const parts = 1 + Math.floor(rnd() * 4);
  for (let i = 0; i < parts; i++) {
    if (i > 0 && rnd() < 0.2) src += '|';
    const a = atom();
    src += a.src;
    if (a.anchor || rnd() < 0.4) {
      loops ||= a.loops;
      continue;
    }
    const q = a.loops ? pick(['?', '{0,1}', '{1}']) : pick(['?', '*', '+', '{2}', '{1,3}', '{2,}', '*?', '+?']);
    src += q;
    loops ||= a.loops || !['?', '{0,1}', '{1}'].includes(q);
  }
  return { src, loops };
}

function agree(pattern: string, inputs: string[]): void {
  const js = sameInJavaScript(pattern);
  expect(js).toBeDefined();
  const rx = new RegExp(js!, 'u');
  const ref = RE2JS.compile(pattern);
  const differ = inputs.filter((s) => rx.test(s) !== ref.test(s));
  expect({ pattern, differ }).toEqual({ pattern, differ: [] });
}

function crdPatterns(): string[] {
  const dir = defaultCrdDir();
  const text = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');
  return [...new Set([...text.matchAll(/^\s+pattern: (.+)$/gm)].map((m) => m[1].trim().replace(/^'(.*)'$/, '$1')))];
}

describe('patterns run on RegExp only where RE2 matches the same strings', () => {
  const inputs = strings(random(7), 400);

  it('covers the Quantity pattern and most CRD patterns, keeping the others on RE2', () => {
    const patterns = crdPatterns();
    expect(patterns.length).toBeGreaterThan(15);
    agree(QUANTITY_PATTERN, inputs);
    const onJs = patterns.filter((p) => sameInJavaScript(p) !== undefined);
    for (const p of onJs) agree(p, inputs);
    expect(patterns.filter((p) => sameInJavaScript(p) === undefined)).toEqual(
      expect.arrayContaining(['^[[:print:]]+$', '^[^\\pZ\\pC\\pS]+$', '^((PT)?( *[0-9]+ *(?i:(ms|s|m)|(milli|sec|min)s?))+|0)$']),
    );
  });

  it('agrees with RE2 on random patterns of the whole subset', () => {
    const rnd = random(42);
    for (let i = 0; i < 400; i++) agree(subsetPattern(rnd).src, inputs);
  });

  it.each([
    ['a**'], ['^*'], ['x{2}{3}'], ['[]a]'], ['a{,5}'], ['a{1001}'], ['(a{500}){3}'], ['(a+)+'], ['(?i)a'], [']'], ['}'], ['{'],
    ['[a-z-0]'], ['\\-'], ['a{2,1}'], ['[[:alpha:]]'], ['\\Q.\\E'], ['\\pL'], ['\\s'], ['\\b'], ['(?P<n>a)'], ['é'], ['a\\z'], ['[z-a]'], ['(a'], ['a)'],
  ])('leaves %s to RE2', (pattern) => {
    expect(sameInJavaScript(pattern)).toBeUndefined();
  });

  it('is the engine the validators use, and it still reads RE2-only syntax through RE2', () => {
    expect(re2('^[[:alpha:]]+$', 'u').test('abc')).toBe(true);
    expect(re2('^[[:alpha:]]+$', 'u').test('ab1')).toBe(false);
    expect(re2(QUANTITY_PATTERN, 'u').test('128Mi')).toBe(true);
    expect(re2(QUANTITY_PATTERN, 'u').test('1 core')).toBe(false);
    expect(String(re2('^a$', 'u'))).toBe('re2:^a$');
    expect(() => re2('a**', 'u')).toThrow(/invalid nested repetition/);
  });
});
