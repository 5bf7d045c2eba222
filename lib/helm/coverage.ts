/**
 * Which values the chart's templates read, and how: directly (a field, a condition, a name), or only inside a
 * `checksum/*` digest (then changing the value rolls pods but changes nothing else).
 */
import type { StackTemplates } from './analyze';
import type { Cond, Node, Part } from './ir';
import type { Knob } from './knobs';

export interface Coverage {
  /** Knob ids read by a template. */
  readonly templated: string[];
  /** Knob ids read only through a digest. */
  readonly digestOnly: string[];
  /** Knob ids no template reads. */
  readonly unused: string[];
}

export function coverage(model: Pick<StackTemplates, 'units' | 'toggles' | 'knobs'>): Coverage {
  const direct = new Set<string>();
  const digested = new Set<string>();
  const toggleKnob = new Map(model.toggles.map((t) => [t.id, t.knob]));
  const visitCond = (c: Cond | undefined) => {
    if (!c) return;
    if (c.c === 'lit') direct.add(toggleKnob.get(c.t)!);
    else c.xs.forEach(visitCond);
  };
  const visitPart = (p: Part) => {
    if (p.p === 'str' || p.p === 'int' || p.p === 'bool') {
      if ('knob' in p.ref) direct.add(p.ref.knob);
    } else if (p.p === 'listJson') direct.add(p.knob);
    else if (p.p === 'image' || p.p === 'imageHash') ['repository', 'tag', 'digest'].forEach((f) => direct.add(`images.${p.image}.${f}`));
    else if (p.p === 'checksum') p.args.forEach((a) => digested.add(a));
  };
  const visit = (n: Node) => {
    switch (n.n) {
      case 'str':
        n.parts.forEach(visitPart);
        break;
      case 'int':
      case 'val':
        if ('knob' in n.ref) direct.add(n.ref.knob);
        break;
      case 'seconds':
      case 'wholeMap':
        direct.add(n.knob);
        break;
      case 'mergedMap':
        direct.add(n.knob);
        n.entries.forEach((e) => (visitCond(e.when), visit(e.node)));
        break;
      case 'map':
        n.entries.forEach((e) => (visitCond(e.when), visit(e.node)));
        break;
      case 'seq':
      case 'join':
        n.items.forEach((i) => (visitCond(i.when), i.range !== undefined && direct.add(i.range), visit(i.node)));
        break;
      case 'switch':
        n.cases.forEach((c) => (visitCond(c.when), visit(c.node)));
        break;
      default:
        break;
    }
  };
  for (const u of model.units) for (const o of u.objects) (visitCond(o.when), visit(o.node));
  const under = (k: Knob, prefixes: Set<string>) => [...prefixes].some((p) => k.id === p || k.id.startsWith(`${p}.`));
  const knobs = model.knobs;
  return {
    templated: knobs.filter((k) => direct.has(k.id)).map((k) => k.id),
    digestOnly: knobs.filter((k) => !direct.has(k.id) && under(k, digested)).map((k) => k.id),
    unused: knobs.filter((k) => !direct.has(k.id) && !under(k, digested)).map((k) => k.id),
  };
}
