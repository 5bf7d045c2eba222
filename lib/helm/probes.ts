/**
 * Probe values: every knob replaced by a token that cannot occur otherwise and survives everywhere a value goes
 * (object names, labels, image references, embedded files), so each output leaf that came from a value shows which.
 * Two probe sets with different tokens let the generator check that nothing else in the output moved.
 */
import { cloneJson, fitsKnob, getPath, setPath, type Knob } from './knobs';
import type { Toggle } from './ir';

/** Probe value of every probed knob, by knob id. */
export type ProbeSet = ReadonlyMap<string, unknown>;

const pad = (n: number) => String(n).padStart(4, '0');
const letters = (n: number) => pad(n).replace(/[0-9]/g, (d) => 'abcdefghij'[Number(d)]);

/** Token shapes for strings, tried in order until one satisfies the knob's pattern. */
function stringShapes(n: number): string[] {
  const p = pad(n);
  return [
    `zq${p}q`,
    `zq${p}q@example.com`,
    // A duration's seconds can reach the output as a number plus a constant (a deadline): tokens a day and more
    // apart keep two duration knobs from being mistaken for each other.
    `${9_000_000 + 100_000 * n}s`,
    `9${p}Mi`,
    `9${p}k`,
    `10.${Math.floor(n / 200)}.${(n % 200) + 20}.0/24`,
    `https://zq${p}q.example.com/zq.git`,
    `sha256:${'0'.repeat(59)}9${p}`,
    `ZQ${p}Q`,
    `zq${letters(n)}q`,
    // A command-line option (pgBackRest's restore options).
    `--zq${p}q`,
  ];
}

function stringToken(knob: Knob, n: number, fits: (s: string) => boolean = (s) => fitsKnob(knob, s)): string {
  const token = stringShapes(n).find(fits);
  if (!token) throw new Error(`cannot probe '${knob.id}': no token shape satisfies its schema`);
  return token;
}

/** Probe values for every knob that can take one (`bool` and `opaque` knobs cannot). `first` separates sets. */
export function probeSet(knobs: readonly Knob[], first: number): ProbeSet {
  const out = new Map<string, unknown>();
  let n = first;
  for (const k of knobs) {
    switch (k.kind) {
      case 'string':
      case 'enum':
        out.set(k.id, k.kind === 'enum' ? `zq${pad(n++)}q` : stringToken(k, n++));
        break;
      case 'int':
        // Spaced by 100, so `token ± small constant` (derived numbers) never hits another knob's token.
        out.set(k.id, 900000 + 100 * n++);
        break;
      case 'list':
        out.set(k.id, [stringToken(k, n++), stringToken(k, n++)]);
        break;
      case 'objects':
        // Two elements, each an object that holds one token as key and value: recognisable wherever it lands.
        out.set(k.id, [0, 1].map(() => ({ [`zq${pad(n)}q`]: `zq${pad(n++)}q` })));
        break;
      case 'map': {
        const key = stringShapes(n++).find((s) => !k.keyPattern || k.keyPattern.test(s));
        if (!key) throw new Error(`cannot probe '${k.id}': no token shape satisfies its key pattern`);
        const value = `zq${pad(n++)}q`;
        out.set(k.id, { [key]: k.objectValues ? { [value]: value } : value });
        break;
      }
      default:
        break;
    }
  }
  if (n - first >= 5000) throw new Error('too many knobs for the probe token space');
  return out;
}

/** The empty value of a knob that a toggle switches off. */
export function emptyValue(knob: Knob): unknown {
  if (knob.optional) return undefined;
  return knob.kind === 'list' || knob.kind === 'objects' ? [] : knob.kind === 'map' ? {} : '';
}

/**
 * Values for one render: `base` with the probed knobs set to their tokens and each toggle set as assigned (an
 * `empty` toggle that holds something keeps the token, or the base value when the knob is not probed).
 */
export function probeValues(
  base: unknown,
  probes: ProbeSet,
  knobs: ReadonlyMap<string, Knob>,
  toggles: readonly Toggle[],
  assign: readonly (string | boolean)[],
): any {
  return withToggles(probedBase(base, probes, knobs), probes, knobs, toggles, assign);
}

/** `base` with the probed knobs set to their tokens: what every render from one context starts from. */
export function probedBase(base: unknown, probes: ProbeSet, knobs: ReadonlyMap<string, Knob>): any {
  const v = cloneJson(base) as any;
  // Scalars need no copy; lists and maps do, so no two renders share (and change) one.
  for (const [id, token] of probes) setPath(v, knobs.get(id)!.path, token !== null && typeof token === 'object' ? cloneJson(token) : token);
  return v;
}

/** A copy of `probed` (from `probedBase`) with each toggle set as assigned: the values of one render. */
export function withToggles(
  probed: unknown,
  probes: ProbeSet,
  knobs: ReadonlyMap<string, Knob>,
  toggles: readonly Toggle[],
  assign: readonly (string | boolean)[],
): any {
  const v = cloneJson(probed) as any;
  toggles.forEach((t, i) => {
    const knob = knobs.get(t.knob)!;
    const a = assign[i];
    if (t.type === 'above') {
      if (a === false) setPath(v, knob.path, t.threshold);
    } else if (t.type !== 'empty') setPath(v, knob.path, a);
    else if (a === false) setPath(v, knob.path, emptyValue(knob));
    else if (!probes.has(t.knob) && getPath(v, knob.path) === emptyValue(knob)) throw new Error(`toggle ${t.id} has no value to hold`);
  });
  return v;
}
