/**
 * The chart's values: `values.schema.json` (the profile schema, as JSON Schema), `values.yaml` (the default
 * profile, every key documented) and one `values-<profile>.yaml` per profile (that profile's complete values).
 */
import { dump } from 'js-yaml';
import { z } from 'zod';
import { dnsLabel, quantity } from '../../profiles/schema';
import { cloneJson, FROM_HELM, getPath, type Json } from './knobs';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/**
 * The values as the chart takes them: release name and namespace come from Helm, not from the values, and the
 * chart does not render the Namespace by default: a Helm release is stored in its namespace, so Helm creates it
 * (`helm install --create-namespace`) or it exists beforehand.
 */
export function chartValues(values: unknown): any {
  const v = cloneJson(values) as any;
  for (const id of FROM_HELM) delete v[id.split('.')[0]][id.split('.')[1]];
  v.release.createNamespace = false;
  return v;
}

/**
 * The JSON Schema Helm checks the merged values against: zod's draft-07 rendering of the profile schema, without
 * release name and namespace, with each key's documentation as its `description` (its allowed values where the
 * schema has no words for it) and the chart's own value as its `default`. No key is `required`: Helm validates
 * the values merged over values.yaml, which holds every key, so requiring them would only make an editor flag
 * every key a short override file leaves out. Unknown keys stay refused.
 */
export function chartSchema(schema: any, docs: ReadonlyMap<string, string>, defaults?: unknown): any {
  const out = cloneJson(schema);
  const release = out.properties.release;
  for (const id of FROM_HELM) {
    const key = id.split('.')[1];
    delete release.properties[key];
    release.required = release.required.filter((k: string) => k !== key);
  }
  // An image tag must not be `latest` (a refinement zod cannot write as JSON Schema).
  for (const image of Object.values<any>(out.properties.images.properties)) {
    if (image.properties?.tag) image.properties.tag.not = { const: 'latest' };
  }
  const visit = (node: any, path: string[]) => {
    if (!node || typeof node !== 'object') return;
    if (typeof node.pattern === 'string') goPattern(node, path.join('.'));
    if (node.maximum === MAX_SAFE) delete node.maximum;
    if (node.minimum === -MAX_SAFE) delete node.minimum;
    const doc = docs.get(path.join('.'));
    if (doc && path.length) node.description = doc;
    if (defaults !== undefined && path.length && !path.includes('*') && !path.includes('(key)')) {
      const isObject = node.type === 'object' && node.properties;
      if (!node.description) node.description = isObject ? sectionDoc(path) : constraintText(node) || undefined;
      const value = getPath(defaults, path);
      if (value !== undefined && !isObject) node.default = cloneJson(value);
      delete node.required;
    }
    for (const [k, child] of Object.entries<any>(node.properties ?? {})) visit(child, [...path, k]);
    for (const alt of node.anyOf ?? []) visit(alt, path);
    if (node.items) visit(node.items, [...path, '*']);
    if (node.propertyNames) visit(node.propertyNames, [...path, '(key)']);
    if (node.additionalProperties && typeof node.additionalProperties === 'object') visit(node.additionalProperties, [...path, '*']);
  };
  visit(out, []);
  if (defaults !== undefined) delete out.required;
  // Tenants are their own output (`synth --tenants`): their objects (namespaces, the registration Job) are not
  // templates of this chart, so the chart refuses tenants rather than ignore them.
  const tenantItems = out.properties.tenants?.properties?.items;
  if (tenantItems) {
    tenantItems.maxItems = 0;
    tenantItems.description = 'Must stay empty here: tenants are rendered by `synth --tenants`, not by this chart.';
  }
  return { $schema: out.$schema, title: 'mcp-stack values', ...Object.fromEntries(Object.entries(out).filter(([k]) => k !== '$schema')) };
}

/** Syntax JavaScript regexes have and Go's RE2 (which Helm validates `pattern` with) does not. */
const NOT_RE2 = /\(\?[=!]|\(\?<[=!]|\\[1-9]|\\k<|\(\?>/;

/**
 * Makes a node's `pattern` one Helm can compile. Leading negative lookaheads (`^(?!A)(?!B)REST`) become
 * `not: {pattern: '^A'}` clauses, which mean the same; any other lookaround cannot be said in RE2, so the pattern
 * is dropped (the synth still checks it) and the description says so.
 */
export function goPattern(node: any, where: string): void {
  const source: string = node.pattern;
  if (!NOT_RE2.test(source)) return;
  const nots: string[] = [];
  let rest = source.startsWith('^') ? source.slice(1) : undefined;
  while (rest !== undefined && rest.startsWith('(?!')) {
    let depth = 0;
    let end = -1;
    for (let i = 0; i < rest.length; i++) {
      if (rest[i] === '\\') i++;
      else if (rest[i] === '(') depth++;
      else if (rest[i] === ')' && --depth === 0) {
        end = i;
        break;
      }
    }
    if (end < 0) break;
    nots.push(`^${rest.slice(3, end)}`);
    rest = rest.slice(end + 1);
  }
  if (rest !== undefined && nots.length && !NOT_RE2.test(rest) && !nots.some((n) => NOT_RE2.test(n))) {
    node.pattern = `^${rest}`;
    node.allOf = [...(node.allOf ?? []), ...nots.map((pattern) => ({ not: { pattern } }))];
    return;
  }
  delete node.pattern;
  node.description = `${node.description ? `${node.description} ` : ''}(The synth also checks the pattern ${source}, which Helm cannot express.)`;
  void where;
}

/** Human words for a schema node: type, allowed values, range. */
export function constraintText(node: any): string {
  const known: [string, string][] = [
    [(z.toJSONSchema(quantity) as any).pattern, 'A Kubernetes quantity such as 500m, 2, 768Mi or 1Gi.'],
    [(z.toJSONSchema(dnsLabel) as any).pattern, "A DNS label: lower-case letters, digits and '-', at most 63 characters."],
  ];
  const alts: any[] = node.anyOf ?? [node];
  if (alts.length > 1) {
    const parts = alts.map((a) => (a.const === '' ? 'empty' : constraintText(a).replace(/\.$/, '')));
    return `${parts.join(', or ')}.`;
  }
  if (node.enum) return `One of: ${node.enum.join(', ')}.`;
  if (node.type === 'integer' || node.type === 'number') {
    const lo = node.minimum;
    const hi = node.maximum;
    const what = node.type === 'integer' ? 'An integer' : 'A number';
    if (lo !== undefined && hi !== undefined && hi !== MAX_SAFE) return `${what} from ${lo} to ${hi}.`;
    if (lo !== undefined) return `${what} ≥ ${lo}.`;
    return `${what}.`;
  }
  if (node.type === 'boolean') return 'true or false.';
  if (node.type === 'array') return `A list; each item: ${constraintText(node.items ?? {}).replace(/^A /, 'a ').replace(/^One/, 'one')}`;
  if (node.type === 'object' && node.additionalProperties && typeof node.additionalProperties === 'object') {
    const keys = node.propertyNames?.pattern ? ` (keys match ${node.propertyNames.pattern})` : '';
    return `A map of names to values${keys}.`;
  }
  if (node.type === 'string') {
    const hit = known.find(([p]) => p === node.pattern);
    if (hit) return hit[1];
    if (node.pattern) return `A string matching ${node.pattern}.`;
    if (node.minLength) return 'A non-empty string.';
    return 'A string.';
  }
  return '';
}

export interface ValuesDoc {
  readonly schema: any;
  readonly docs: ReadonlyMap<string, string>;
  /** Values of every profile, to show where they differ. */
  readonly profiles: ReadonlyMap<string, unknown>;
  /** Paths the chart's templates never read. */
  readonly unused: ReadonlySet<string>;
}

/** Words for sections the schema has no JSDoc for (by key); a JSDoc in profiles/schema.ts takes precedence. */
const SECTION_DOCS: Record<string, string> = {
  release: "How the stack lives in its namespace (the release name and namespace themselves are Helm's).",
  images: 'Container images (repository, tag, optional digest, user) and how they are pulled.',
  gateway: 'The ContextForge gateway: Deployment, settings ConfigMap, HPA and PDB.',
  migration: 'The schema migration Job: a hook that runs the gateway image before the gateway serves.',
  registration: 'The Job that registers the fast-time-server with the gateway after install and upgrade.',
  nginx: 'The NGINX proxy in front of the gateway.',
  database: 'Postgres: a standalone StatefulSet, or a CrunchyData PGO PostgresCluster with PgBouncer.',
  redis: 'Redis for the gateway caches, session pool and rate limiter.',
  fastTimeServer: 'The fast-time-server MCP backend the benchmark loads.',
  exposure: 'How clients reach the stack.',
  networkPolicies: 'NetworkPolicies: a default deny plus exactly the traffic the components declare.',
  topologySpread: 'Spread pods across zones and nodes.',
  resources: 'CPU and memory requests and limits.',
  masterResources: 'CPU and memory requests and limits.',
  workerResources: 'CPU and memory requests and limits.',
  requests: 'What the scheduler reserves.',
  limits: 'The most a container may use.',
  storage: 'A PersistentVolumeClaim: size and StorageClass.',
  hpa: 'A HorizontalPodAutoscaler (it then owns the replica count).',
  pdb: 'A PodDisruptionBudget.',
  plugins: 'Gateway plugins, configured by a ConfigMap mounted into the gateway.',
  modes: 'Mode of each plugin.',
  standalone: 'Used when database.mode is standalone.',
  pgo: 'Used when database.mode is pgo.',
  instances: 'The PostgresCluster instance set.',
  pgbouncer: "PgBouncer, PGO's connection pooler.",
  backups: 'pgBackRest backups.',
  persistence: 'Append-only persistence on a PersistentVolumeClaim.',
};

/** What a Helm user must know about a key beyond its schema documentation. */
const HELM_NOTES: Record<string, string> = {
  'release.createNamespace':
    'Off in the chart: a release cannot create the namespace it is stored in, so Helm creates it (helm install --create-namespace) or it exists beforehand; give it the Pod Security labels (pod-security.kubernetes.io/enforce=restricted). On only to render the Namespace object for another tool.',
};

function sectionDoc(path: readonly string[]): string {
  const key = path[path.length - 1];
  if (path.length === 2 && path[0] === 'images') return `The ${key} image.`;
  return SECTION_DOCS[key] ?? `Settings of ${path.join('.')}.`;
}

/** `values.yaml`: the values with each key's documentation, allowed values and per-profile values above it. */
export function documentedValues(values: any, header: string[], info: ValuesDoc): string {
  const lines = header.flatMap((h) => (h ? wrapText(h, 116).map((l) => `# ${l}`) : ['#']));
  const commentFor = (path: string[], s: any, isObject: boolean): string[] => {
    const id = path.join('.');
    const comment: string[] = [info.docs.get(id) ?? (isObject ? sectionDoc(path) : '')].filter(Boolean);
    if (!isObject) {
      const c = constraintText(s);
      if (c) comment.push(c);
      const byProfile = [...info.profiles].map(([name, v]) => [name, getPath(v, path)] as const);
      if (new Set(byProfile.map(([, v]) => JSON.stringify(v))).size > 1) {
        comment.push(`Profiles: ${byProfile.map(([name, v]) => `${name} ${v === undefined ? '(unset)' : JSON.stringify(v)}`).join(', ')}.`);
      }
    }
    if (HELM_NOTES[id]) comment.push(HELM_NOTES[id]);
    if (info.unused.has(id)) comment.push('Not used by the chart (kept so that every profile file validates).');
    return comment;
  };
  const walk = (node: any, schema: any, path: string[], indent: number) => {
    const pad = ' '.repeat(indent);
    for (const [key, s] of Object.entries<any>(schema?.properties ?? {})) {
      const p = [...path, key];
      const isObject = s.type === 'object' && s.properties;
      if (indent === 0) lines.push('');
      const present = node && key in node;
      const comment = commentFor(p, s, isObject);
      if (!present) comment.push('Optional: unset here.');
      for (const c of wrapText(comment.join(' '), 116 - indent)) lines.push(`${pad}# ${c}`);
      if (!present) {
        const example = [...info.profiles.values()].map((v) => getPath(v, p)).find((v) => v !== undefined);
        lines.push(...scalarOrBlock(key, example ?? null, indent).map((l) => `${pad}# ${l.slice(indent)}`));
      } else if (isObject) {
        lines.push(`${pad}${key}:`);
        walk(node[key], s, p, indent + 2);
      } else {
        lines.push(...scalarOrBlock(key, node[key], indent));
      }
    }
  };
  walk(values, info.schema, [], 0);
  return `${lines.join('\n')}\n`;
}

/** A profile's complete values, as one file (documented in values.yaml). */
export function profileValues(values: unknown, header: string[]): string {
  const lines = header.flatMap((h) => (h ? wrapText(h, 116).map((l) => `# ${l}`) : ['#']));
  return `${lines.join('\n')}\n${dump(values, { lineWidth: -1, noRefs: true })}`;
}

function scalarOrBlock(key: string, value: Json, indent: number): string[] {
  const pad = ' '.repeat(indent);
  const text = dump({ [key]: value }, { lineWidth: -1, noRefs: true }).replace(/\n$/, '');
  return text.split('\n').map((l) => pad + l);
}

export function wrapText(text: string, width: number): string[] {
  if (!text) return [];
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}
