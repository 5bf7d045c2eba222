/**
 * Rendered object (with probe tokens) → template: every token becomes a reference to its knob, every digest
 * recomputed from the values becomes the formula that computes it, the rest stays constant.
 */
import { nameHash, saltedValuesChecksum, sha256, valuesChecksum } from '../constructs/core/checksum';
import { gatewayConfigRevision } from '../constructs/gateway';
import { nginxConfigRevision } from '../constructs/nginx-proxy';
import { imageRef } from '../constructs/core/images';
import { jobHash, MIGRATION_JOB_INPUT_LISTS, REGISTRATION_JOB_INPUTS, registrationScriptsDigest } from '../constructs/gateway-jobs';
import { escapeRegExp, getPath, type Json, type Knob } from './knobs';
import { withoutPodOverrides } from '../../profiles/pod-overrides-schema';
import { durationSeconds, WITHOUT_POD_OVERRIDES, type Item, type Node, type Part } from './ir';

/** Durations (`60s`, `5m`, `1h`): their seconds may appear in the output as numbers (plus a constant). */
const DURATION = /^\d+[smh]$/;
/** Job name suffixes: the values each Job is built from, and the constant it is salted with (`jobHash`). */
const JOB_HASHES = (): { args: readonly string[]; salt?: string }[] => [...MIGRATION_JOB_INPUT_LISTS.map((args) => ({ args })), { args: REGISTRATION_JOB_INPUTS, salt: registrationScriptsDigest() }];
/** Pod checksums salted with what the code makes of the values (`saltedValuesChecksum`): the values, and the salt. */
const SALTED_CHECKSUMS = (): { args: readonly string[]; salt: string }[] => [
  { args: [`gateway${WITHOUT_POD_OVERRIDES}`, '@release', '@namespace'], salt: gatewayConfigRevision() },
  { args: [`nginx${WITHOUT_POD_OVERRIDES}`, '@release', '@namespace'], salt: nginxConfigRevision() },
];

/** Shared by the registries of one analysis: digests that matched before, and digests that are constants. */
export class DigestMemo {
  readonly hints: string[][] = [];
  readonly constants = new Set<string>();
  /** Compiled token scanners by token list. */
  readonly scanners = new Map<string, RegExp>();
  /**
   * What a string scans to, by the digest of the tokens and what each stands for: renders share most of their
   * strings (a label, an image reference), and one analysis scans well over a million of them, mostly the same few
   * tens of thousands.
   */
  readonly scans = new Map<string, Map<string, Part[]>>();
}

/** Every token has one of these shapes; a string without any holds no token. */
const MAY_HOLD_TOKEN = /zq|ZQ|9[0-9]{4}|[0-9]{6}|10\.[0-9]|[0-9a-f]{8}/;

/** What the tokens of one render stand for. */
export class Registry {
  private readonly texts = new Map<string, Part>();
  private readonly ints = new Map<number, string>();
  private readonly durations: { knob: string; seconds: number }[] = [];
  private readonly sentinels = new Map<string, { knob: string; value: unknown }>();
  /** Probe elements of object lists (JSON) → `<knob>#<index>`. */
  private readonly elements = new Map<string, string>();
  private checksums?: Map<string, string[]>;
  private readonly salted = new Map<string, { args: readonly string[]; salt: string }>();
  private scanner?: RegExp;
  /** This registry's entry of `memo.scans`. */
  private scanned?: Map<string, Part[]>;

  /** `tokens`: the probe value of each knob; a knob counts only while it holds its token (not a real value). */
  constructor(
    private readonly values: any,
    tokenized: readonly Knob[],
    tokens: ReadonlyMap<string, unknown>,
    private readonly memo: DigestMemo = new DigestMemo(),
  ) {
    const probed = new Set<string>();
    for (const k of tokenized) {
      const v = getPath(values, k.path);
      if (JSON.stringify(v) !== JSON.stringify(tokens.get(k.id))) continue;
      probed.add(k.id);
      const ref = { knob: k.id };
      if (k.kind === 'int') {
        this.ints.set(v, k.id);
        this.texts.set(String(v), { p: 'int', ref });
      } else if (k.kind === 'string' || k.kind === 'enum') {
        this.texts.set(v, { p: 'str', ref });
        if (DURATION.test(v)) this.durations.push({ knob: k.id, seconds: durationSeconds(v) });
      } else if (k.kind === 'list') {
        this.texts.set(JSON.stringify(v), { p: 'listJson', knob: k.id });
        (v as string[]).forEach((e, i) => this.texts.set(e, { p: 'str', ref: { knob: `${k.id}#${i}` } }));
      } else if (k.kind === 'objects') {
        (v as object[]).forEach((e, i) => this.elements.set(JSON.stringify(e), `${k.id}#${i}`));
      } else if (k.kind === 'map') {
        for (const [key, value] of Object.entries(v)) this.sentinels.set(key, { knob: k.id, value });
      }
    }
    for (const [image, img] of Object.entries<any>(values.images ?? {})) {
      if (!['repository', 'tag', 'digest'].some((f) => probed.has(`images.${image}.${f}`)) && !probed.has('global.imageRegistry')) continue;
      if (!img || typeof img !== 'object' || typeof img.repository !== 'string') continue;
      const ref = imageRef(img, values.global?.imageRegistry);
      this.texts.set(ref, { p: 'image', image });
      this.texts.set(nameHash(ref), { p: 'imageHash', image });
    }
    for (const { args, salt } of SALTED_CHECKSUMS()) this.salted.set(saltedValuesChecksum(this.argValues(args), salt), { args, salt });
    for (const { args, salt } of JOB_HASHES()) this.texts.set(jobHash(values, args, salt), { p: 'checksum', args, short: true, ...(salt === undefined ? {} : { salt }) });
  }

  /** The parts of a string: constants and references. */
  scan(s: string): Part[] {
    if (/^[0-9a-f]{64}$/.test(s)) {
      const salted = this.salted.get(s);
      if (salted) return [{ p: 'checksum', args: salted.args, salt: salted.salt }];
      const args = this.checksumOf(s);
      if (args) return [{ p: 'checksum', args }];
    }
    if (!this.texts.size || !MAY_HOLD_TOKEN.test(s)) return [{ p: 'lit', s }];
    this.scanner ??= this.compileScanner();
    const known = this.scanned!.get(s);
    if (known) return known.slice();
    const parts: Part[] = [];
    let last = 0;
    for (const m of s.matchAll(this.scanner)) {
      if (m.index! > last) parts.push({ p: 'lit', s: s.slice(last, m.index) });
      parts.push(this.texts.get(m[0])!);
      last = m.index! + m[0].length;
    }
    if (last < s.length) parts.push({ p: 'lit', s: s.slice(last) });
    if (!parts.length) parts.push({ p: 'lit', s: '' });
    this.scanned!.set(s, parts);
    return parts.slice();
  }

  private compileScanner(): RegExp {
    const source = [...this.texts.keys()]
      .sort((a, b) => b.length - a.length || (a < b ? -1 : 1))
      .map((t) => (/^[0-9]/.test(t) ? `(?<![0-9])${escapeRegExp(t)}(?![0-9])` : escapeRegExp(t)))
      .join('|');
    let re = this.memo.scanners.get(source);
    if (!re) this.memo.scanners.set(source, (re = new RegExp(source, 'g')));
    // Registries with the same tokens agree on what each token stands for only if their parts are equal too.
    // Kept by digest: the text runs to tens of kilobytes, and an analysis makes over a thousand of them.
    const meaning = sha256(`${source}\u0000${JSON.stringify([...this.texts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))}`);
    let scanned = this.memo.scans.get(meaning);
    if (!scanned) this.memo.scans.set(meaning, (scanned = new Map()));
    this.scanned = scanned;
    return re;
  }

  /** The integer knob whose token a number is, or is within ±49 of (tokens are 100 apart). */
  intKnob(n: number): { knob: string; offset: number } | undefined {
    const exact = this.ints.get(n);
    if (exact) return { knob: exact, offset: 0 };
    if (!Number.isInteger(n) || n < 800000) return undefined;
    for (const [token, knob] of this.ints) if (Math.abs(n - token) < 50) return { knob, offset: n - token };
    return undefined;
  }

  /**
   * A number that is a duration knob's seconds plus a small constant: the knob whose seconds come closest below it,
   * since the tokens of several duration knobs lie within a day of each other.
   */
  seconds(n: number): { knob: string; offset: number } | undefined {
    const below = this.durations.filter((x) => n >= x.seconds && n - x.seconds < 86400);
    const d = below.reduce<(typeof below)[number] | undefined>((best, x) => (!best || x.seconds > best.seconds ? x : best), undefined);
    return d && { knob: d.knob, offset: n - d.seconds };
  }

  /** The object-list element (`<knob>#<index>`) an object is the probe of, if any. */
  element(value: object): string | undefined {
    return this.elements.size ? this.elements.get(JSON.stringify(value)) : undefined;
  }

  sentinel(key: string, value: unknown): string | undefined {
    const s = this.sentinels.get(key);
    return s && (s.value === value || (typeof value === 'object' && JSON.stringify(s.value) === JSON.stringify(value))) ? s.knob : undefined;
  }

  /** The values a digest was computed from, if it is a `valuesChecksum` of them (tries what matched before first). */
  private checksumOf(digest: string): string[] | undefined {
    if (this.memo.constants.has(digest)) return undefined;
    const hit = this.memo.hints.find((args) => this.checksum(args) === digest) ?? this.checksumArgs().get(digest);
    if (!hit) this.memo.constants.add(digest);
    else if (!this.memo.hints.includes(hit)) this.memo.hints.push(hit);
    return hit;
  }

  private checksum(args: readonly string[]): string {
    return valuesChecksum(...this.argValues(args));
  }

  /** The values a checksum's arguments name. */
  private argValues(args: readonly string[]): unknown[] {
    return args.map((a) => {
      if (a === '@release') return this.values.release.name;
      if (a === '@namespace') return this.values.release.namespace;
      if (a.endsWith(WITHOUT_POD_OVERRIDES)) return withoutPodOverrides(getPath(this.values, a.slice(0, -WITHOUT_POD_OVERRIDES.length).split('.')) ?? {});
      return getPath(this.values, a.split('.'));
    });
  }

  /** Digest → the values it was computed from, for every value list a `checksum/*` annotation could cover. */
  private checksumArgs(): Map<string, string[]> {
    if (this.checksums) return this.checksums;
    const out = new Map<string, string[]>();
    const add = (args: string[]) => {
      const digest = this.checksum(args);
      if (!out.has(digest)) out.set(digest, args);
    };
    const visit = (node: any, path: string[], depth: number) => {
      if (!node || typeof node !== 'object' || Array.isArray(node)) return;
      const scalars = Object.keys(node).filter((k) => node[k] === null || typeof node[k] !== 'object');
      for (let i = 0; i < scalars.length; i++) for (let j = i + 1; j < scalars.length; j++) add([[...path, scalars[i]].join('.'), [...path, scalars[j]].join('.')]);
      for (const key of Object.keys(node)) {
        if (path.length === 0 && key === 'release') continue;
        const p = [...path, key].join('.');
        add([p]);
        add([p, '@release', '@namespace']);
        if (node[key] && typeof node[key] === 'object' && !Array.isArray(node[key]) && 'extraEnv' in node[key]) add([`${p}${WITHOUT_POD_OVERRIDES}`, '@release', '@namespace']);
        if (depth < 2) visit(node[key], [...path, key], depth + 1);
      }
    };
    visit(this.values, [], 0);
    this.checksums = out;
    return out;
  }
}

/** Keys whose values are Kubernetes label values: the constructs sanitize those (`labelValue`). */
const LABEL_MAPS = new Set(['labels', 'matchLabels']);

export function templatize(value: Json, reg: Registry, inLabels = false): Node {
  if (typeof value === 'string') {
    const parts = reg.scan(value);
    if (parts.length === 1 && parts[0].p === 'lit') return { n: 'lit', v: value };
    const sanitized = inLabels && parts.some((p) => p.p !== 'lit' && !(p.p === 'str' && 'knob' in p.ref && p.ref.knob.startsWith('release.')));
    return sanitized ? { n: 'str', parts, label: true } : { n: 'str', parts };
  }
  if (typeof value === 'number') {
    const int = reg.intKnob(value);
    if (int) return int.offset ? { n: 'int', ref: { knob: int.knob }, offset: int.offset } : { n: 'int', ref: { knob: int.knob } };
    const s = reg.seconds(value);
    if (s) return { n: 'seconds', knob: s.knob, offset: s.offset };
    return { n: 'lit', v: value };
  }
  if (value === null || typeof value !== 'object') return { n: 'lit', v: value };
  if (Array.isArray(value)) return { n: 'seq', items: ranges(value.map((v) => templatize(v, reg))) };
  const element = reg.element(value);
  if (element) return { n: 'val', ref: { knob: element } };
  const sentinel = Object.entries(value).map(([k, v]) => reg.sentinel(k, v)).find((x) => x);
  const entries = Object.entries(value)
    .filter(([k, v]) => !(sentinel && reg.sentinel(k, v) === sentinel))
    .map(([key, v]) => {
      if (reg.scan(key).some((p) => p.p !== 'lit')) throw new Error(`a value ends up in an object key ('${key}'); the chart cannot template that`);
      return { key, node: templatize(v, reg, inLabels || LABEL_MAPS.has(key)) };
    });
  if (!sentinel) return { n: 'map', entries };
  return entries.length ? { n: 'mergedMap', knob: sentinel, entries } : { n: 'wholeMap', knob: sentinel };
}

/** Two consecutive items made from the two probe elements of a list knob become one item per element. */
function ranges(nodes: Node[]): Item[] {
  const items: Item[] = [];
  for (let i = 0; i < nodes.length; i++) {
    const lists = elemLists(nodes[i], 0);
    if (lists.size === 1 && i + 1 < nodes.length) {
      const [list] = lists;
      const generic = replaceElem(nodes[i], list, 0) as Node;
      if (JSON.stringify(replaceElem(nodes[i + 1], list, 1)) === JSON.stringify(generic)) {
        items.push({ range: list, node: generic });
        i++;
        continue;
      }
    }
    items.push({ node: nodes[i] });
  }
  return items;
}

function elemLists(node: unknown, index: number, out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) node.forEach((x) => elemLists(x, index, out));
  else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (typeof o.knob === 'string' && o.knob.endsWith(`#${index}`) && Object.keys(o).length === 1) out.add(o.knob.slice(0, -`#${index}`.length));
    Object.values(o).forEach((x) => elemLists(x, index, out));
  }
  return out;
}

function replaceElem(node: unknown, list: string, index: number): unknown {
  if (Array.isArray(node)) return node.map((x) => replaceElem(x, list, index));
  if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (o.knob === `${list}#${index}` && Object.keys(o).length === 1) return { elem: true };
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, replaceElem(v, list, index)]));
  }
  return node;
}

/** A reference to a list element outside any range: the list is used in a way the chart cannot express. */
export function strayElements(node: unknown): string[] {
  return [...elemLists(node, 0), ...elemLists(node, 1)];
}
