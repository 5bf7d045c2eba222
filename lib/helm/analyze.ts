/**
 * Differential templating: the chart's templates are read off the real constructs. The stack is rendered with probe
 * tokens under many toggle settings (each profile, each toggle flipped, then pairs of toggles that touch the same
 * object), each render is read back as templates, and the templates of each object are merged with learned
 * conditions. Before anything is written the merged templates must reproduce, exactly, every render they came from,
 * a render with different tokens, and each profile's real plain output.
 */
import { loadValues, profileNames } from '../../profiles/loader';
import type { ProfileName } from '../../profiles/schema';
import { SampleSpace } from './conditions';
import { classify } from './classify';
import { canonical, evaluate, holds, toggleValue, type Cond, type EvalContext, type Node, type Toggle } from './ir';
import { cloneJson, FROM_HELM, getPath, knobCatalogue, setPath, valuesJsonSchema, type Json, type Knob } from './knobs';
import { Merger } from './merge';
import { probeSet, probeValues, type ProbeSet } from './probes';
import { firstDifference, objectKey, readPaths, renderCount, renderRaw, renderTracked, type RawObject } from './render';
import { Sampler, type Sample } from './sampling';
import { DigestMemo, strayElements } from './templatize';

export interface ChartObject {
  readonly key: string;
  readonly when?: Cond;
  readonly node: Node;
}

export interface ChartUnit {
  readonly name: string;
  readonly file: string;
  readonly objects: ChartObject[];
}

export interface StackTemplates {
  readonly schema: any;
  readonly knobs: Knob[];
  readonly toggles: Toggle[];
  readonly units: ChartUnit[];
  /** The real values of each profile. */
  readonly profiles: ReadonlyMap<ProfileName, any>;
  readonly stats: { renders: number; samples: number; milliseconds: number };
}

export function analyzeStack(): StackTemplates {
  const started = Date.now();
  renderCount.value = 0;
  const schema = valuesJsonSchema();
  const knobs = knobCatalogue(schema);
  const knobById = new Map(knobs.map((k) => [k.id, k]));
  const profiles = new Map(profileNames.map((p) => [p, loadValues({ profile: p })] as const));
  const contexts = [...[...profiles].map(([name, values]) => ({ name, values })), ...hiddenContexts(profiles, knobs)];
  const bases = contexts.map((c) => c.values);
  const memo = new DigestMemo();
  const allProbes = probeSet(knobs, 0);
  // A knob the constructs never read (in any context) cannot change the output: no test, no toggle.
  const reads = new Set(bases.flatMap((b) => [...readPaths(b)]));
  const isRead = (k: Knob) => [...reads].some((p) => p === k.id || p.startsWith(`${k.id}.`));
  const classes = classify(knobs.filter((k) => !FROM_HELM.includes(k.id) && isRead(k)), bases, profiles.size, allProbes, memo);
  const unread = knobs.filter((k) => !FROM_HELM.includes(k.id) && !isRead(k) && allProbes.has(k.id));
  const tokenized = [...classes.tokenized, ...unread, ...FROM_HELM.map((id) => knobById.get(id)!)];
  const probes1 = restrict(allProbes, tokenized);
  const probes2 = restrict(probeSet(knobs, 5000), tokenized);
  const toggles = classes.toggles;
  const toggleById = new Map(toggles.map((t) => [t.id, t]));
  const space = new SampleSpace(toggles);

  const sampler = new Sampler(bases, profiles.size, { knobs: knobById, tokenized, probes: probes1, toggles, space, memo });
  sampler.run();
  const { samples, nodes, units } = sampler;
  const baseAssign = sampler.baseAssign;

  const contextOf = (s: number): EvalContext => ({ values: samples[s].values, toggles: toggleById });
  const merger = new Merger(space, contextOf);
  const valid = samples.flatMap((s, i) => (s.objects ? [i] : []));
  const objects = [...units.keys()].map((key) => {
    const present = valid.filter((s) => samples[s].objects!.has(key));
    const absent = valid.filter((s) => !samples[s].objects!.has(key));
    const when = space.learn(present, absent);
    const byNode = new Map<string, number[]>();
    for (const s of present) {
      const c = samples[s].objects!.get(key)!;
      byNode.set(c, [...(byNode.get(c) ?? []), s]);
    }
    const node = merger.refine(merger.merge([...byNode].map(([c, ss]) => ({ node: nodes.get(c)!, ss }))));
    const stray = strayElements(node);
    if (stray.length) throw new Error(`${key}: the list ${stray.join(', ')} is used in a way the chart cannot template`);
    return { key, when, node, unit: units.get(key)! };
  });

  const model: StackTemplates = {
    schema,
    knobs,
    toggles,
    units: groupUnits(objects),
    profiles,
    stats: { renders: renderCount.value, samples: samples.length, milliseconds: 0 },
  };
  verifySamples(model, samples, valid, nodes, toggleById);
  contexts.forEach(({ name, values }, b) => {
    verifyRender(model, probeValues(values, probes2, knobById, toggles, baseAssign[b]), `${name} with other probe tokens`);
    verifyRender(model, values, `${name} (real values)`);
  });
  model.stats.renders = renderCount.value;
  model.stats.milliseconds = Date.now() - started;
  return model;
}

/**
 * Profiles with one boolean flipped, for each flip that creates objects no profile has (the benchmark, say): the
 * knobs of those objects only show what they do there, so classification and sampling start from there too.
 */
/**
 * Modes whose own values only a valid combination reads (an external database needs its Secret named before its
 * key names are read at all; the metrics token Secret's default name shows only with metrics on, the monitor kinds,
 * alerts and the pgmonitor exporter's PodMonitor only with metrics on, the tracing values only with an endpoint): rendered as
 * contexts of their own, so those values are classified like the rest.
 */
const DECLARED_CONTEXTS: { profile: string; sets: Record<string, unknown> }[] = [
  { profile: 'kind', sets: { 'database.mode': 'external', 'database.external.secretName': 'app-db' } },
  { profile: 'kind', sets: { 'observability.metrics.enabled': true } },
  { profile: 'kind', sets: { 'observability.metrics.enabled': true, 'observability.metrics.monitor': 'PodMonitor', 'observability.alerts.enabled': true } },
  { profile: 'kind', sets: { 'observability.metrics.enabled': true, 'observability.metrics.monitor': 'none' } },
  { profile: 'production', sets: { 'observability.metrics.enabled': true, 'observability.metrics.postgresExporter': true, 'observability.alerts.enabled': true } },
  { profile: 'kind', sets: { 'observability.tracing.enabled': true, 'observability.tracing.endpoint': 'http://otel-collector:4317' } },
];

function hiddenContexts(profiles: ReadonlyMap<string, any>, knobs: readonly Knob[]): { name: string; values: any }[] {
  const keys = (raw: RawObject[] | undefined) => new Set((raw ?? []).map((r) => objectKey(r.obj)));
  const seen = new Set<string>();
  const renders = new Map([...profiles].map(([name, values]) => [name, renderTracked(values)] as const));
  for (const r of renders.values()) for (const k of keys(r.raw)) seen.add(k);
  const out: { name: string; values: any }[] = [];
  for (const [name, base] of profiles) {
    for (const knob of knobs) {
      // A boolean the profile's render never reads cannot change it.
      if (knob.kind !== 'bool' || FROM_HELM.includes(knob.id) || !renders.get(name)!.reads.has(knob.id)) continue;
      const values = cloneJson(base);
      setPath(values, knob.path, !getPath(base, knob.path));
      const fresh = [...keys(renderRaw(values))].filter((k) => !seen.has(k));
      if (!fresh.length) continue;
      fresh.forEach((k) => seen.add(k));
      out.push({ name: `${name} with ${knob.id}=${getPath(values, knob.path)}`, values });
    }
  }
  for (const { profile, sets } of DECLARED_CONTEXTS) {
    const values = cloneJson(profiles.get(profile));
    for (const [path, value] of Object.entries(sets)) setPath(values, path.split('.'), value as Json);
    out.push({ name: `${profile} with ${Object.entries(sets).map(([k, v]) => `${k}=${v}`).join(', ')}`, values });
  }
  return out;
}

function restrict(probes: ProbeSet, knobs: readonly Knob[]): ProbeSet {
  return new Map(knobs.filter((k) => probes.has(k.id)).map((k) => [k.id, probes.get(k.id)]));
}

function groupUnits(objects: { key: string; when?: Cond; node: Node; unit: { name: string; file: string; order: number } }[]): ChartUnit[] {
  const byFile = new Map<string, ChartUnit>();
  for (const o of [...objects].sort((a, b) => a.unit.order - b.unit.order)) {
    let unit = byFile.get(o.unit.file);
    if (!unit) byFile.set(o.unit.file, (unit = { name: o.unit.name, file: o.unit.file, objects: [] }));
    unit.objects.push(o.when ? { key: o.key, when: o.when, node: o.node } : { key: o.key, node: o.node });
  }
  return [...byFile.values()].sort((a, b) => (a.file < b.file ? -1 : 1));
}

/** What the chart renders for these values (release name and namespace inside the values, as in the synth). */
export function renderTemplates(model: Pick<StackTemplates, 'units' | 'toggles'>, values: unknown): Json[] {
  const ctx: EvalContext = { values, toggles: new Map(model.toggles.map((t) => [t.id, t])) };
  return model.units.flatMap((u) => u.objects.filter((o) => holds(o.when, ctx)).map((o) => evaluate(o.node, ctx)));
}

/** Every render the templates were read from must come out of the merged templates unchanged. */
function verifySamples(model: StackTemplates, samples: readonly Sample[], valid: readonly number[], nodes: ReadonlyMap<string, Node>, toggles: ReadonlyMap<string, Toggle>): void {
  const merged = model.units.flatMap((u) => u.objects).map((o) => ({ ...o, text: canonical(o.node) }));
  for (const s of valid) {
    const ctx: EvalContext = { values: samples[s].values, toggles };
    const own = samples[s].objects!;
    for (const o of merged) {
      const fail = (why: string) => new Error(`the merged templates do not reproduce render ${s} (${describe(model.toggles, samples[s].values)}): ${o.key}: ${why}`);
      const expected = own.get(o.key);
      if (holds(o.when, ctx) !== (expected !== undefined)) throw fail(expected ? 'missing' : 'unexpected');
      if (expected === undefined || expected === o.text) continue;
      const diff = firstDifference([evaluate(nodes.get(expected)!, ctx)], [evaluate(o.node, ctx)]);
      if (diff) throw fail(diff);
    }
  }
}

function verifyRender(model: StackTemplates, values: unknown, what: string): void {
  const raw = renderRaw(values);
  if (!raw) throw new Error(`the stack refuses the values of ${what}`);
  const diff = firstDifference(raw.map((r) => r.obj), renderTemplates(model, values));
  if (diff) throw new Error(`the chart templates do not reproduce ${what}: ${diff}`);
}

function describe(toggles: readonly Toggle[], values: unknown): string {
  return toggles.map((t) => `${t.id}=${toggleValue(t, values)}`).join(' ');
}
