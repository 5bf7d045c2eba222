/**
 * ajv errors → findings: one finding per real problem, with the value received, what is allowed and a fix.
 */
import type { ErrorObject } from 'ajv';
import { ALLOWED_FIELDS } from './crd-convert';
import { formatPath } from './model';
import { QUANTITY_PATTERN } from '../../profiles/quantity';
import type { Sink } from './types';

export function pointerToPath(pointer: string, data: unknown): (string | number)[] {
  if (!pointer) return [];
  const out: (string | number)[] = [];
  let cur: any = data;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const key: string | number = Array.isArray(cur) && /^\d+$/.test(seg) ? Number(seg) : seg;
    out.push(key);
    cur = cur === null || typeof cur !== 'object' ? undefined : cur[key as any];
  }
  return out;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}

/**
 * Collapses a failed anyOf/oneOf into one explanation: a type mismatch when every branch wanted another type,
 * the errors of the only branch of the right type (an int-or-string or Quantity that is a bad string), or one
 * finding listing what each alternative required.
 */
function collapseAlternatives(errors: ErrorObject[]): ErrorObject[] {
  const drop = new Set<ErrorObject>();
  const extra: ErrorObject[] = [];
  for (const alt of errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf')) {
    const prefix = `${alt.schemaPath}/`;
    const within = (e: ErrorObject) => e.instancePath === alt.instancePath || e.instancePath.startsWith(`${alt.instancePath}/`);
    const branch = errors.filter((e) => e !== alt && e.schemaPath.startsWith(prefix) && within(e));
    if (branch.length === 0) continue;
    drop.add(alt);
    const byBranch = new Map<string, ErrorObject[]>();
    for (const e of branch) {
      const index = e.schemaPath.slice(prefix.length).split('/')[0];
      byBranch.set(index, [...(byBranch.get(index) ?? []), e]);
    }
    const substantive = [...byBranch.values()].filter((errs) => errs.some((e) => e.keyword !== 'type'));
    if (substantive.length === 1) {
      for (const e of branch) if (!substantive[0].includes(e)) drop.add(e);
      continue;
    }
    for (const e of branch) drop.add(e);
    if (substantive.length === 0) {
      const types = [...new Set(branch.map((e) => String(e.params.type)))];
      extra.push({ ...branch[0], params: { type: types.join(' or ') } });
    } else {
      const options = substantive.map((errs) => `${errs[0].instancePath.slice(alt.instancePath.length + 1).replace(/\//g, '.') || 'the value'} ${errs[0].message}`);
      extra.push({ ...alt, message: `must satisfy one of: ${options.join('; or ')}` });
    }
  }
  return [...errors.filter((e) => !drop.has(e)), ...extra];
}

/** Reports ajv errors of one document. `what` names the schema, e.g. `apps/v1 Deployment`. */
export function reportAjvErrors(errors: ErrorObject[], data: unknown, doc: number, sink: Sink, what: string): void {
  for (const e of collapseAlternatives(errors)) {
    const path = pointerToPath(e.instancePath, data);
    const custom = e.params as { rule?: string; fix?: string };
    if (custom.rule) {
      sink.error(custom.rule, doc, path, e.message ?? 'invalid', custom.fix ?? 'see the CRD documentation');
      continue;
    }
    const at = e.instancePath ? `'${formatPath(path)}'` : 'the object';
    switch (e.keyword) {
      case 'additionalProperties': {
        const field = String(e.params.additionalProperty);
        const parent = e.parentSchema as any;
        const allowed: string[] = [...(parent?.[ALLOWED_FIELDS] ?? Object.keys(parent?.properties ?? {}))].sort();
        const near = allowed.filter((a) => distance(a.toLowerCase(), field.toLowerCase()) <= 2);
        const list = allowed.length ? `; allowed here: ${allowed.length > 25 ? `${allowed.slice(0, 25).join(', ')}, ...` : allowed.join(', ')}` : '';
        sink.error(
          'schema/unknown-field',
          doc,
          [...path, field],
          `unknown field '${field}' in ${at} (${what})${list}`,
          near.length ? `did you mean '${near[0]}'?` : `remove '${field}', or fix its indentation if it belongs to another level`,
        );
        break;
      }
      case 'required': {
        const field = String(e.params.missingProperty);
        sink.error('schema/required', doc, [...path, field], `missing required field '${field}' in ${at} (${what})`, `set '${field}'`);
        break;
      }
      case 'type':
        sink.error(
          'schema/type',
          doc,
          path,
          `${at} must be ${e.params.type}, got ${typeName(e.data)} ${show(e.data)} (${what})`,
          typeName(e.data) !== 'string' && String(e.params.type).includes('string') ? 'quote the value' : `write it as ${e.params.type}`,
        );
        break;
      case 'enum':
        sink.error(
          'schema/enum',
          doc,
          path,
          `${at} is ${show(e.data)}; allowed: ${(e.params.allowedValues as unknown[]).map(show).join(', ')}`,
          'use one of the allowed values',
        );
        break;
      case 'pattern':
        // CRDs carry controller-gen's own copy of the quantity pattern; both mean 'not a quantity'.
        if (e.params.pattern === QUANTITY_PATTERN || String(e.params.pattern).includes('[KMGTPE]i')) {
          sink.error('schema/quantity', doc, path, `${at} is ${show(e.data)}, not a Kubernetes quantity`, "write a quantity such as 500m, 2, 128Mi or 1Gi (no spaces, binary units end in 'i')");
        } else {
          sink.error('schema/pattern', doc, path, `${at} is ${show(e.data)}, which does not match ${e.params.pattern}`, 'change the value to match the pattern');
        }
        break;
      case 'format':
        sink.error('schema/format', doc, path, `${at} is ${show(e.data)}, not a valid ${e.params.format}`, `write a valid ${e.params.format}`);
        break;
      case 'minimum': case 'maximum': case 'exclusiveMinimum': case 'exclusiveMaximum':
      case 'minLength': case 'maxLength': case 'minItems': case 'maxItems': case 'minProperties': case 'maxProperties':
        sink.error('schema/range', doc, path, `${at} ${e.message} (got ${show(e.data)})`, 'bring the value within the allowed range');
        break;
      default:
        sink.error('schema/invalid', doc, path, `${at} ${e.message ?? 'is invalid'} (${what})`, 'fix the value to match the schema');
    }
  }
}
