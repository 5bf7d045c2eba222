/**
 * Layers the values (built-in defaults, then the profile, then each `--values FILE`, then each `--set a.b=c`)
 * and validates the result once against the schema, so a user sees every problem of every layer in one message.
 */
import { readFileSync } from 'node:fs';
import { InputError, type Problem } from './errors';
import { load as parseYaml } from 'js-yaml';
import { defaults } from './defaults';
import { kind } from './kind';
import { ocp } from './ocp';
import { production } from './production';
import { tenantProblems } from '../lib/tenants/checks';
import { loadTenantsFile } from '../lib/tenants/load';
import { valuesSchema, type ProfileName, type Values, type ValuesOverride } from './schema';
import { tenantsKeysAt } from './tenants-schema';

export const profiles: Record<ProfileName, ValuesOverride> = { kind, ocp, production };
export const profileNames = Object.keys(profiles) as ProfileName[];

export { InputError, formatProblem, type Problem } from './errors';

export interface LoadOptions {
  readonly profile?: string;
  readonly valuesFiles?: readonly string[];
  readonly sets?: readonly string[];
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
      problems.push(...e.problems);
    }
  }
  for (const set of options.sets ?? []) {
    const data = parseSet(set, problems);
    if (data) layers.push({ source: `--set ${set}`, data });
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
    for (const issue of parsed.error.issues) problems.push(...describeIssue(issue, merged, origins));
  }
  // Tenant rules that need the whole values (digests, platform), run even when other parts are malformed.
  problems.push(...tenantProblems(merged).map((p) => ({ ...p, source: p.source ?? originOf(p.path, origins) })));
  if (problems.length > 0) {
    throw new InputError(`invalid input: ${problems.length} problem${problems.length === 1 ? '' : 's'}`, sortProblems(problems));
  }
  return parsed.data as Values;
}

function readValuesFile(file: string, problems: Problem[]): Record<string, Json> | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    problems.push({ path: '--values', message: `cannot read file: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, received: file });
    return undefined;
  }
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (e) {
    problems.push({ path: '--values', message: `not valid YAML: ${(e as Error).message.split('\n')[0]}`, received: file });
    return undefined;
  }
  if (data === undefined || data === null) return {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    problems.push({ path: '--values', message: 'must hold a YAML mapping of values', received: file });
    return undefined;
  }
  return data as Record<string, Json>;
}

/** `a.b.c=value` → `{a:{b:{c:value}}}`; scalars are typed like Helm's `--set` (true/false, integers, decimals). */
export function parseSet(expr: string, problems: Problem[]): Record<string, Json> | undefined {
  const eq = expr.indexOf('=');
  const key = eq < 0 ? expr : expr.slice(0, eq);
  if (eq < 0 || !/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/.test(key)) {
    problems.push({ path: '--set', message: 'must look like path.to.key=value (dotted keys of letters, digits and _)', received: expr });
    return undefined;
  }
  const raw = expr.slice(eq + 1);
  let value: Json;
  if (raw === 'true' || raw === 'false') value = raw === 'true';
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
      out[k] = k in base ? merge(base[k], v, p, source, origins) : v;
      if (!(k in base) || !isMap(v)) origins.set(p, source);
    }
    return out;
  }
  origins.set(path, source);
  return over;
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
        message: `unknown key; allowed here: ${allowed.join(', ')}`,
        received: valueAt(merged, [...issue.path, k]),
        source: originOf(p, origins),
      };
    });
  }
  return [{ path, message: issue.message, received: valueAt(merged, issue.path), source: originOf(path, origins) }];
}

function sortProblems(problems: Problem[]): Problem[] {
  return [...problems].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.message < b.message ? -1 : 1));
}
