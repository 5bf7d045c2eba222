/**
 * Fixture loading for the gate tests. A broken fixture is an overlay on a valid stack: each document either
 * patches the base document of the same kind and name (objects merge, lists of named items merge by name,
 * `$patch: delete` removes) or is added. Its header comments say what the gate must report:
 *
 *   # base: kind | ocp | none          (default kind)
 *   # policy: kind | ocp | production | none   (default: the base's)
 *   # digests: required                         (the policy pins every image by digest)
 *   # expect: <rule> | <message fragment>     (an error; repeatable)
 *   # warn: <rule> | <message fragment>       (a warning; repeatable)
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { defaultPolicy, parseYamlStream, validateDocuments, type GateDocument, type GatePolicy, type GateReport } from '../../lib/gate';

export const FIXTURES = join(__dirname, 'fixtures');

export function readFixture(rel: string): GateDocument[] {
  return parseYamlStream(readFileSync(join(FIXTURES, rel), 'utf8'), rel);
}

/** The Secrets the valid stacks read but do not contain (the user creates them). */
export const EXTERNAL_SECRETS: Record<string, string[]> = {
  kind: ['mcp-gateway', 'mcp-postgres', 'mcp-redis'],
  ocp: ['mcp-gateway', 'mcp-redis'],
};

export function policyFor(profile: string, base = profile): GatePolicy {
  return {
    ...defaultPolicy(profile),
    externalRefs: (EXTERNAL_SECRETS[base] ?? []).map((name) => ({ kind: 'Secret' as const, name })),
  };
}

export function baseStack(base: 'kind' | 'ocp'): GateDocument[] {
  return readFixture(`valid/${base}-stack.yaml`);
}

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Strategic-merge-like patching, enough for fixtures. */
export function merge(base: any, patch: any): any {
  if (patch === null) return undefined;
  if (isObject(patch) && patch.$patch === 'delete') return undefined;
  if (isObject(patch) && patch.$patch === 'replace') {
    const { $patch, ...rest } = patch;
    void $patch;
    return rest;
  }
  if (isObject(base) && isObject(patch)) {
    const out: Record<string, any> = { ...base };
    for (const [k, v] of Object.entries(patch)) {
      const merged = merge(base[k], v);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    }
    return out;
  }
  // A list starting with {$patch: replace} replaces the base list instead of merging by name.
  if (Array.isArray(patch) && isObject(patch[0]) && patch[0].$patch === 'replace') return patch.slice(1);
  const named = (xs: unknown[]) => xs.every((x) => isObject(x) && typeof x.name === 'string');
  if (Array.isArray(base) && Array.isArray(patch) && named(base) && named(patch)) {
    const out = base.map((b) => {
      const p = patch.find((x) => x.name === b.name);
      return p ? merge(b, p) : b;
    });
    return [...out.filter((x) => x !== undefined), ...patch.filter((p) => !base.some((b) => b.name === p.name))];
  }
  return patch;
}

export function applyOverlay(base: GateDocument[], overlay: GateDocument[]): GateDocument[] {
  const docs = [...base];
  for (const o of overlay) {
    const i = isObject(o.object) ? docs.findIndex((d) => d.object?.kind === o.object.kind && d.object?.metadata?.name === o.object.metadata?.name) : -1;
    if (i < 0) {
      if (!(isObject(o.object) && o.object.$patch === 'delete')) docs.push(o);
      continue;
    }
    const merged = merge(docs[i].object, o.object);
    if (merged === undefined) docs.splice(i, 1);
    else docs[i] = { file: o.file, object: merged, line: o.line };
  }
  return docs;
}

export interface Expectation {
  severity: 'error' | 'warning';
  rule: string;
  fragment: string;
}

export interface BrokenFixture {
  name: string;
  base: 'kind' | 'ocp' | 'none';
  policy?: GatePolicy;
  expectations: Expectation[];
  docs: GateDocument[];
}

export function loadBrokenFixture(file: string): BrokenFixture {
  const text = readFileSync(join(FIXTURES, 'broken', file), 'utf8');
  const header = (key: string) => [...text.matchAll(new RegExp(`^# ${key}:\\s*(.+)$`, 'gm'))].map((m) => m[1].trim());
  const base = (header('base')[0] ?? 'kind') as BrokenFixture['base'];
  const policyName = header('policy')[0] ?? (base === 'none' ? 'none' : base);
  const expectations = [
    ...header('expect').map((e) => ({ severity: 'error' as const, e })),
    ...header('warn').map((e) => ({ severity: 'warning' as const, e })),
  ].map(({ severity, e }) => {
    const [rule, fragment = ''] = e.split('|').map((s) => s.trim());
    return { severity, rule, fragment };
  });
  const overlay = parseYamlStream(text, `broken/${file}`);
  const docs = base === 'none' ? overlay : applyOverlay(baseStack(base), overlay);
  const policy = policyName === 'none' ? undefined : policyFor(policyName, base === 'none' ? policyName : base);
  // `# digests: required` checks the digest rule whatever the profile's current default.
  if (policy && header('digests')[0] === 'required') policy.requireDigests = true;
  return { name: file, base, policy, expectations, docs };
}

export function brokenFixtureFiles(): string[] {
  return readdirSync(join(FIXTURES, 'broken')).filter((f) => f.endsWith('.yaml')).sort();
}

export function validate(docs: GateDocument[], policy?: GatePolicy): GateReport {
  return validateDocuments(docs, { policy });
}

export function rulesOf(report: GateReport, severity: 'error' | 'warning'): string[] {
  return [...new Set(report.findings.filter((f) => f.severity === severity).map((f) => f.rule))].sort();
}

/** Copies of documents, for tests that mutate them. */
export function clone(docs: GateDocument[]): GateDocument[] {
  return docs.map((d) => ({ ...d, object: structuredClone(d.object) }));
}

export function find(docs: GateDocument[], kind: string, name: string): any {
  const d = docs.find((x) => x.object?.kind === kind && x.object?.metadata?.name === name);
  if (!d) throw new Error(`fixture has no ${kind}/${name}`);
  return d.object;
}
