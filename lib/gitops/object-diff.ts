/**
 * Object-level diff of two outputs of a profile: which objects were added, removed or changed, and for a changed
 * object which fields, with their old and new values. Objects are matched by apiVersion, kind, namespace and name,
 * wherever they sit in the files; list items with unique `name`s are matched by name (containers, env, volumes).
 */
import { loadAll } from 'js-yaml';
import { splitLines, unifiedDiff } from './line-diff';

export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  /** Empty for a document without a name (a Kustomization). */
  readonly name: string;
  readonly file: string;
}

export interface FieldChange {
  readonly path: string;
  /** Absent on the old side when the field was added. */
  readonly before?: unknown;
  /** Absent on the new side when the field was removed. */
  readonly after?: unknown;
  readonly added?: boolean;
  readonly removed?: boolean;
}

export interface ObjectDiff {
  readonly added: ObjectRef[];
  readonly removed: ObjectRef[];
  readonly changed: { readonly before: ObjectRef; readonly after: ObjectRef; readonly fields: FieldChange[] }[];
  readonly unchanged: number;
  /** Files that are not YAML objects, e.g. a broken file: `file: reason`. */
  readonly unreadable: string[];
}

interface Parsed {
  readonly ref: ObjectRef;
  readonly object: any;
}

/** Parses every YAML document of a set of files, keyed for matching. */
export function objectsOf(files: ReadonlyMap<string, string>, unreadable: string[] = []): Map<string, Parsed> {
  const out = new Map<string, Parsed>();
  for (const [file, text] of [...files].sort(([a], [b]) => compare(a, b))) {
    let docs: unknown[];
    try {
      docs = loadAll(text);
    } catch (e) {
      unreadable.push(`${file}: ${(e as Error).message.split('\n')[0]}`);
      continue;
    }
    docs.forEach((doc: any, i) => {
      if (!doc || typeof doc !== 'object') return;
      const ref: ObjectRef = {
        apiVersion: String(doc.apiVersion ?? ''),
        kind: String(doc.kind ?? '(no kind)'),
        namespace: doc.metadata?.namespace,
        name: String(doc.metadata?.name ?? ''),
        file,
      };
      // A document without a name (e.g. a Kustomization) is known by its place in its file.
      const name = ref.name || `${file}#${i}`;
      out.set(`${ref.apiVersion} ${ref.kind} ${ref.namespace ?? ''}/${name}`, { ref, object: doc });
    });
  }
  return out;
}

export function diffObjects(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): ObjectDiff {
  const unreadable: string[] = [];
  const old = objectsOf(before, unreadable);
  const fresh = objectsOf(after, unreadable);
  const added: ObjectRef[] = [];
  const removed: ObjectRef[] = [];
  const changed: ObjectDiff['changed'] = [];
  let unchanged = 0;
  for (const [key, n] of fresh) {
    const o = old.get(key);
    if (!o) {
      added.push(n.ref);
      continue;
    }
    const fields: FieldChange[] = [];
    diffValue(o.object, n.object, '', fields);
    if (fields.length || o.ref.file !== n.ref.file) changed.push({ before: o.ref, after: n.ref, fields });
    else unchanged++;
  }
  for (const [key, o] of old) if (!fresh.has(key)) removed.push(o.ref);
  return { added, removed, changed, unchanged, unreadable };
}

function diffValue(a: unknown, b: unknown, path: string, out: FieldChange[]): void {
  if (isMap(a) && isMap(b)) {
    const keys = [...Object.keys(b), ...Object.keys(a).filter((k) => !(k in b))];
    for (const k of keys) {
      const p = joinKey(path, k);
      if (!(k in a)) out.push({ path: p, after: b[k], added: true });
      else if (!(k in b)) out.push({ path: p, before: a[k], removed: true });
      else diffValue(a[k], b[k], p, out);
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const byName = namedItems(a) && namedItems(b);
    if (byName) {
      const names = (xs: any[]) => xs.map((x) => x.name as string);
      const oldNames = names(a);
      const newNames = names(b);
      for (const item of b) {
        const p = `${path}[${item.name}]`;
        const prev = a.find((x: any) => x.name === item.name);
        if (prev === undefined) out.push({ path: p, after: item, added: true });
        else diffValue(prev, item, p, out);
      }
      for (const item of a) if (!newNames.includes(item.name)) out.push({ path: `${path}[${item.name}]`, before: item, removed: true });
      const common = (xs: string[], other: string[]) => xs.filter((x) => other.includes(x));
      // Order matters for env: a variable can only refer to those before it.
      if (common(oldNames, newNames).join('\0') !== common(newNames, oldNames).join('\0')) {
        out.push({ path: `${path} (order)`, before: oldNames, after: newNames });
      }
      return;
    }
    const len = Math.max(a.length, b.length);
    for (let i = 0; i < len; i++) {
      const p = `${path}[${i}]`;
      if (i >= a.length) out.push({ path: p, after: b[i], added: true });
      else if (i >= b.length) out.push({ path: p, before: a[i], removed: true });
      else diffValue(a[i], b[i], p, out);
    }
    return;
  }
  if (!sameValue(a, b)) out.push({ path: path || '(root)', before: a, after: b });
}

function namedItems(xs: unknown[]): boolean {
  if (!xs.length || !xs.every((x) => isMap(x) && typeof x.name === 'string')) return false;
  return new Set(xs.map((x: any) => x.name)).size === xs.length;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function isMap(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function joinKey(path: string, key: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) return path ? `${path}.${key}` : key;
  return `${path}[${JSON.stringify(key)}]`;
}

export interface FormatOptions {
  /** Longest value shown before it is cut. */
  readonly maxValue?: number;
  /** Most lines shown of a changed multi-line string. */
  readonly maxTextLines?: number;
}

/** `+ added`, `- removed`, `~ changed` lines with indented field changes; Secret values are never shown. */
export function formatObjectDiff(diff: ObjectDiff, options: FormatOptions = {}): string[] {
  const maxValue = options.maxValue ?? 100;
  const maxTextLines = options.maxTextLines ?? 20;
  const lines: string[] = [];
  const byFile = (x: ObjectRef, y: ObjectRef) => compare(order(x), order(y));
  for (const r of [...diff.added].sort(byFile)) lines.push(`+ added ${label(r)}  (${r.file})`);
  for (const r of [...diff.removed].sort(byFile)) lines.push(`- removed ${label(r)}  (${r.file})`);
  for (const c of [...diff.changed].sort((x, y) => byFile(x.after, y.after))) {
    const moved = c.before.file !== c.after.file ? `  (moved from ${c.before.file} to ${c.after.file})` : `  (${c.after.file})`;
    lines.push(`~ changed ${label(c.after)}${moved}`);
    const hidden = c.after.kind === 'Secret';
    for (const f of c.fields) lines.push(...formatField(f, hidden, maxValue, maxTextLines));
  }
  for (const u of diff.unreadable) lines.push(`! unreadable ${u}`);
  return lines;
}

function formatField(f: FieldChange, hidden: boolean, maxValue: number, maxTextLines: number): string[] {
  const show = (v: unknown) => (hidden ? '(hidden)' : shortValue(v, maxValue));
  if (f.added) return [`    ${f.path}: (absent) → ${show(f.after)}`];
  if (f.removed) return [`    ${f.path}: ${show(f.before)} → (absent)`];
  if (!hidden && typeof f.before === 'string' && typeof f.after === 'string' && (f.before.includes('\n') || f.after.includes('\n'))) {
    const diff = unifiedDiff(f.before, f.after, { context: 1, maxLines: maxTextLines }).filter((l) => !l.startsWith('@@'));
    const size = (s: string) => `${splitLines(s).length} lines`;
    return [`    ${f.path}: text changed (${size(f.before)} → ${size(f.after)})`, ...diff.map((l) => `        ${l.slice(0, maxValue + 1)}`)];
  }
  return [`    ${f.path}: ${show(f.before)} → ${show(f.after)}`];
}

/** JSON, cut to `max` characters. */
export function shortValue(v: unknown, max: number): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function label(r: ObjectRef): string {
  const name = `${r.namespace ? `${r.namespace}/` : ''}${r.name}`;
  return name ? `${r.kind} ${name}` : r.kind;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function order(r: ObjectRef): string {
  return `${r.file}\0${r.kind}\0${r.namespace ?? ''}\0${r.name}`;
}
