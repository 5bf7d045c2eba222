/**
 * LimitRanges of the output: the LimitRanger admission refuses a pod whose container asks for more than a
 * LimitRange of its namespace allows (`max`) or less than it requires (`min`). A Deployment or Job then never gets
 * its pods (the controller's `FailedCreate`), so the gate refuses the template instead.
 */
import { containersOf, isPlainObject, nsOf, type Model } from './model';
import { parseQuantity } from '../../profiles/quantity';
import type { Sink } from './types';

export function checkLimitRanges(model: Model, sink: Sink): void {
  // Templates by namespace, in model order: one LimitRange per tenant namespace would otherwise scan every template.
  const byNamespace = new Map<string, Model['templates']>();
  for (const t of model.templates) {
    if (t.partial) continue;
    const ns = nsOf(t.owner);
    const list = byNamespace.get(ns);
    if (list) list.push(t);
    else byNamespace.set(ns, [t]);
  }
  for (const lr of model.items.filter((m) => m.group === '' && m.kind === 'LimitRange')) {
    const items = (Array.isArray(lr.obj.spec?.limits) ? lr.obj.spec.limits : []).filter((l: any) => l?.type === 'Container');
    if (!items.length) continue;
    for (const t of byNamespace.get(nsOf(lr)) ?? []) {
      for (const { c, path } of containersOf(t.spec)) {
        const resources = isPlainObject(c.resources) ? c.resources : {};
        for (const item of items) {
          for (const [resource, max] of Object.entries<any>(item.max ?? {})) {
            const asked = resources.limits?.[resource] ?? resources.requests?.[resource];
            const a = parseQuantity(asked);
            const m = parseQuantity(max);
            if (a === undefined || m === undefined || a <= m) continue;
            sink.error('policy/limit-range', t.owner.doc, [...t.path, 'spec', ...path, 'resources', 'limits', resource], `container '${c.name}' asks for ${resource} ${asked}, above the maximum ${max} of LimitRange '${lr.name}' in namespace '${nsOf(lr)}'; admission refuses its pods`, `keep ${resource} at or below ${max}, or raise the LimitRange`);
          }
          for (const [resource, min] of Object.entries<any>(item.min ?? {})) {
            const asked = resources.requests?.[resource] ?? resources.limits?.[resource];
            const a = parseQuantity(asked);
            const m = parseQuantity(min);
            if (a === undefined || m === undefined || a >= m) continue;
            sink.error('policy/limit-range', t.owner.doc, [...t.path, 'spec', ...path, 'resources', 'requests', resource], `container '${c.name}' requests ${resource} ${asked}, below the minimum ${min} of LimitRange '${lr.name}' in namespace '${nsOf(lr)}'; admission refuses its pods`, `request at least ${min}, or lower the LimitRange`);
          }
        }
      }
    }
  }
}
