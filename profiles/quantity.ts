/** Kubernetes resource quantities as numbers, to check that servers fit their LimitRange and ResourceQuota. */

const SUFFIX: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** The value of a quantity such as `500m`, `2`, `1.5Gi`; undefined when it is not one. */
export function quantityValue(q: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.exec(q);
  return m ? Number(m[1]) * SUFFIX[m[2] ?? ''] : undefined;
}

/** Sum of quantities, each multiplied by its count. */
export function sumQuantities(parts: readonly (readonly [string, number])[]): number {
  return parts.reduce((total, [q, n]) => total + (quantityValue(q) ?? 0) * n, 0);
}

/** `a <= b` for quantities (false when either does not parse, so a bad value is never called a fit). */
export function quantityAtMost(a: string, b: string): boolean {
  const x = quantityValue(a);
  const y = quantityValue(b);
  return x !== undefined && y !== undefined && x <= y * (1 + 1e-12);
}
