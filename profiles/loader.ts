/**
 * Layers the values (built-in defaults, then the profile, then each `--values FILE`, then each `--set a.b=c`)
 * and validates the result once against the schema, so a user sees every problem of every layer in one message.
 */
import { InputError, problemCount, type Problem } from './errors';
import { readYamlInput } from './yaml-input';
import { defaults } from './defaults';
import { kind } from './kind';
import { ocp } from './ocp';
import { production } from './production';
import { tenantProblems } from './tenants-checks';
import { loadTenantsFile } from './tenants-file';
import { valuesSchema, type ProfileName, type Values, type ValuesOverride } from './schema';
import { tenantsKeysAt } from './tenants-schema';
import { removedKeyMessage } from './removed-keys';

export const profiles: Record<ProfileName, ValuesOverride> = { kind, ocp, production };
export const profileNames = Object.keys(profiles) as ProfileName[];

export { EnvironmentError, InputError, formatProblem, problemCount, type Problem } from './errors';

export interface LoadOptions {
  readonly profile?: string;
  readonly valuesFiles?: readonly string[];
  readonly sets?: readonly string[];
  /** `--set-string path=value`: the value is always a string (`1.10` stays `1.10`), as with Helm. */
  readonly setStrings?: readonly string[];
  /** A tenants file (`tenants:` list), layered after the values files and before `--set`. */
  readonly tenantsFile?: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Layer = { source: string; data: Record<string, Json> };

/** Builds the values for a synth. Throws `InputError` listing every problem. */
export function loadValues(options: LoadOptions = {}): Values {
  const problems: Problem[] = [];
  const profile = options.profile ?? 'kind';
  const layers: Layer[] = [];
  if (!(profileNames as string[]).includes(profile)) {
    problems.push({ path: '--profile', message: `unknown profile; allowed: ${profileNames.join(', ')}`, received: profile });
  } else {
    layers.push({ source: `profile ${profile}`, data: profiles[profile as ProfileName] as Record<string, Json> });
  }
  for (const file of options.valuesFiles ?? []) {
    const data = readValuesFile(file, problems);
    if (data) layers.push({ source: file, data });
  }
  if (options.tenantsFile) {
    try {
      layers.push({ source: options.tenantsFile, data: { tenants: { items: loadTenantsFile(options.tenantsFile) as Json } } });
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      for (const p of e.problems) problems.push(p);
    }
  }
  for (const set of options.sets ?? []) {
    const data = parseSet(set, problems);
    if (data) layers.push({ source: `--set ${setKey(set)}`, data });
  }
  for (const set of options.setStrings ?? []) {
    const data = parseSet(set, problems, '--set-string');
    if (data) layers.push({ source: `--set-string ${setKey(set)}`, data });
  }
  return buildValues(layers, problems);
}

/** Merges the layers over the defaults and validates. Exported for the Helm values round trip. */
export function buildValues(layers: readonly Layer[], problems: Problem[] = []): Values {
  const origins = new Map<string, string>();
  let merged = structuredClone(defaults) as unknown as Json;
  for (const layer of layers) merged = merge(merged, layer.data, '', layer.source, origins);
  const parsed = valuesSchema.safeParse(merged);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) for (const p of describeIssue(issue, merged, origins)) problems.push(p);
    // Cross-field rules run only on well-typed values: check them again with each broken value set back.
    const base = layers.filter((l) => l.source.startsWith('profile ')).reduce((m, l) => merge(m, l.data, '', l.source, new Map()), structuredClone(defaults) as unknown as Json);
    for (const issue of crossFieldIssuesDespite(parsed.error.issues, merged, base)) {
      const path = issue.path.map(String).join('.');
      if (!problems.some((p) => p.path === path && p.message === issue.message)) problems.push(...describeIssue(issue, merged, origins));
    }
  }
  // Tenant rules that need the whole values (digests, platform), run even when other parts are malformed.
  for (const p of tenantProblems(merged)) problems.push({ ...p, source: p.source ?? originOf(p.path, origins) });
  if (problems.length > 0) {
    throw new InputError(`invalid input: ${problemCount(problems.length)}`, sortProblems(unique(problems).map(hideSecrets)));
  }
  return parsed.data as Values;
}

function readValuesFile(file: string, problems: Problem[]): Record<string, Json> | undefined {
  const input = readYamlInput(file);
  if (!input.ok) {
    problems.push({ path: '--values', message: input.message, received: file });
    return undefined;
  }
  const data = input.data;
  // A file of only comments (or nothing) sets nothing, as with Helm.
  if (data === undefined || data === null) return {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    problems.push({ path: '--values', message: 'must hold a YAML mapping of values', received: file });
    return undefined;
  }
  if ('profile' in data) {
    // The profile decides the output folder: a values file choosing it would replace another profile's output.
    problems.push({ path: 'profile', message: 'cannot be set in a values file; choose the profile with --profile', received: (data as Record<string, Json>).profile, source: file });
    delete (data as Record<string, Json>).profile;
  }
  return data as Record<string, Json>;
}

/** The key of a `--set` expression, for naming its source without repeating its value (which may be a secret). */
function setKey(expr: string): string {
  const eq = expr.indexOf('=');
  return eq < 0 ? expr : expr.slice(0, eq);
}

/** `a.b.c=value` → `{a:{b:{c:value}}}`; scalars are typed like Helm's `--set` (true/false, integers, decimals). */
export function parseSet(expr: string, problems: Problem[], flag: '--set' | '--set-string' = '--set'): Record<string, Json> | undefined {
  const eq = expr.indexOf('=');
  const key = eq < 0 ? expr : expr.slice(0, eq);
  if (eq < 0 || !/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/.test(key)) {
    problems.push({ path: flag, message: 'must look like path.to.key=value (dotted keys of letters, digits and _)', received: key });
    return undefined;
  }
  const raw = expr.slice(eq + 1);
  let value: Json;
  if (flag === '--set-string') value = raw;
  else if (raw === 'true' || raw === 'false') value = raw === 'true';
  else if (/^-?\d+(\.\d+)?$/.test(raw) && Number.isSafeInteger(Math.trunc(Number(raw)))) value = Number(raw);
  else if (/^\{.*\}$/.test(raw)) value = raw === '{}' ? [] : raw.slice(1, -1).split(',').map((s) => s.trim());
  else value = raw;
  const out: Record<string, Json> = {};
  let cursor = out;
  const parts = key.split('.');
  parts.forEach((part, i) => {
    if (i === parts.length - 1) cursor[part] = value;
    else cursor = (cursor[part] = {}) as Record<string, Json>;
  });
  return out;
}

function isMap(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function merge(base: Json, over: Json, path: string, source: string, origins: Map<string, string>): Json {
  if (isMap(base) && isMap(over)) {
    const out: Record<string, Json> = { ...base };
    for (const [k, v] of Object.entries(over)) {
      const p = path ? `${path}.${k}` : k;
      // `__proto__` from a YAML file is data, not the object's prototype: the schema then refuses it as unknown.
      Object.defineProperty(out, k, { value: Object.hasOwn(base, k) ? merge(base[k], v, p, source, origins) : v, enumerable: true, writable: true, configurable: true });
      if (!Object.hasOwn(base, k) || !isMap(v)) origins.set(p, source);
    }
    return out;
  }
  origins.set(path, source);
  return over;
}

/**
 * The cross-field rules' findings on the values with every broken value replaced by the profile's (or dropped, for
 * unknown keys), so a type error in one place does not hide a rule broken elsewhere. Findings on a replaced path are
 * left out: they speak of a value the user did not give.
 */
function crossFieldIssuesDespite(issues: readonly IssueLike[], merged: Json, base: Json): IssueLike[] {
  const repaired = structuredClone(merged);
  const broken = new Set<string>();
  let pending = issues;
  for (let round = 0; round < 5; round++) {
    for (const issue of pending) {
      if (issue.code === 'custom') continue;
      if (issue.code === 'unrecognized_keys' && issue.keys) {
        const at = valueAt(repaired, issue.path) as Record<string, Json> | undefined;
        if (isMap(at)) for (const k of issue.keys) delete at[k];
        continue;
      }
      // Set the value back to the profile's; where the profile has none (inside a list entry), the nearest
      // enclosing value it has (the whole list).
      let at = issue.path;
      while (at.length > 1 && valueAt(base, at) === undefined && valueAt(base, at.slice(0, -1)) === undefined) at = at.slice(0, -1);
      if (valueAt(base, at) === undefined && at.length > 1 && Array.isArray(valueAt(repaired, at.slice(0, -1)))) at = at.slice(0, -1);
      broken.add(at.map(String).join('.'));
      if (!setAt(repaired, at, valueAt(base, at) as Json | undefined)) return [];
    }
    const again = valuesSchema.safeParse(repaired);
    if (again.success) return [];
    pending = again.error.issues as IssueLike[];
    if (pending.every((i) => i.code === 'custom')) {
      return pending.filter((i) => ![...broken].some((b) => i.path.map(String).join('.').startsWith(b)));
    }
  }
  return [];
}

/** Sets (or, for `undefined`, deletes) the value at a path; false when the path cannot be reached. */
function setAt(root: Json, path: readonly PropertyKey[], value: Json | undefined): boolean {
  if (!path.length) return false;
  const parent = valueAt(root, path.slice(0, -1));
  if (parent === null || typeof parent !== 'object') return false;
  const key = path[path.length - 1] as string;
  if (value === undefined) {
    if (Array.isArray(parent)) return false;
    delete (parent as Record<string, Json>)[key];
  } else (parent as Record<string, Json>)[key] = structuredClone(value);
  return true;
}

function valueAt(root: Json, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[seg as string];
  }
  return cur;
}

function originOf(path: string, origins: Map<string, string>): string | undefined {
  for (let p = path; p; p = p.includes('.') ? p.slice(0, p.lastIndexOf('.')) : '') {
    const o = origins.get(p);
    if (o) return o;
  }
  return undefined;
}

interface IssueLike {
  code: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
}

function describeIssue(issue: IssueLike, merged: Json, origins: Map<string, string>): Problem[] {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys' && issue.keys) {
    // Inside tenant list entries the defaults have no example to read the keys from: ask the tenants schema.
    const allowed =
      issue.path[0] === 'tenants'
        ? (tenantsKeysAt(issue.path.slice(1)) ?? [])
        : Object.keys((valueAt(defaults as unknown as Json, issue.path) as object) ?? {});
    return issue.keys.map((k) => {
      const p = path ? `${path}.${k}` : k;
      return {
        path: p,
        message: removedKeyMessage(p) ?? `unknown key; allowed here: ${allowed.join(', ')}`,
        received: valueAt(merged, [...issue.path, k]),
        source: originOf(p, origins),
      };
    });
  }
  return [{ path, message: issue.message, received: valueAt(merged, issue.path), source: originOf(path, origins) }];
}

/**
 * Whether the value at a path may be a credential, so a message must not show it (messages end up in CI logs): a
 * gateway setting, an environment variable's value (of a tenant's `env` or of an `extraEnv`), a key named like a password
 * or token, and a whole `env`, `extraEnv` or `secrets` block (a mapping there may hold values put inline). Names of variables, Secrets and keys are shown.
 */
export function mayHoldSecret(path: string, received?: unknown): boolean {
  const segs = path.split('.');
  const leaf = segs[segs.length - 1];
  if (segs.indexOf('extraConfig') >= 0 && segs.indexOf('extraConfig') < segs.length - 1) return true;
  if (leaf === 'value' && segs[segs.length - 3] === 'env') return true;
  // An escape hatch's environment: the list, an entry or its value (only a variable's name is shown).
  if (segs.includes('extraEnv') && leaf !== 'name') return true;
  if ((leaf === 'env' || leaf === 'secrets' || leaf === 'extraConfig') && received !== null && typeof received === 'object') return true;
  return /pass(word)?|secret|token|credential|private[-_]?key|api[-_]?key/i.test(leaf) && !/(name|ref|refs|secrets)$/i.test(leaf);
}

function hideSecrets(p: Problem): Problem {
  return p.received !== undefined && !p.secret && mayHoldSecret(p.path, p.received) ? { ...p, secret: true } : p;
}

/** Each problem once: a rule checked on both the parsed and the raw values reports the same finding twice. */
function unique(problems: readonly Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function sortProblems(problems: Problem[]): Problem[] {
  return [...problems].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.message < b.message ? -1 : 1));
}
