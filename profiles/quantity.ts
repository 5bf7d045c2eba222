/**
 * Kubernetes resource quantities (`500m`, `2`, `768Mi`, `1e3`), parsed the way the API server reads them: for the
 * values' checks (tenants fitting their quota), the output gate and the one-way doors alike.
 */

/** The serialization format the API server accepts (apimachinery `resource.ParseQuantity`). */
export const QUANTITY_PATTERN = '^[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+|[numkMGTPE]|[KMGTPE]i)?$';
const QUANTITY_RE = new RegExp(QUANTITY_PATTERN);

const SUFFIX: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** The quantity as a plain number (cores for CPU, bytes for memory), or undefined when it is not a quantity. */
export function parseQuantity(q: unknown): number | undefined {
  if (typeof q === 'number' && Number.isFinite(q)) return q;
  if (typeof q !== 'string' || !QUANTITY_RE.test(q)) return undefined;
  const m = /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(.*)$/.exec(q);
  if (!m) return undefined;
  const base = Number(m[1]);
  const suffix = m[2];
  if (/^[eE]/.test(suffix)) return base * 10 ** Number(suffix.slice(1));
  const factor = SUFFIX[suffix];
  return factor === undefined ? undefined : base * factor;
}

/** CPU in millicores, rounded up as the scheduler does. */
export function cpuMillis(q: unknown): number | undefined {
  const v = parseQuantity(q);
  return v === undefined ? undefined : Math.ceil(Math.round(v * 1e6) / 1e3);
}

export function memoryBytes(q: unknown): number | undefined {
  const v = parseQuantity(q);
  return v === undefined ? undefined : Math.ceil(v);
}

export function formatCpu(millis: number): string {
  return millis % 1000 === 0 ? `${millis / 1000}` : `${millis}m`;
}

export function formatMemory(bytes: number): string {
  for (const [unit, f] of [['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]] as const) {
    if (bytes >= f) {
      const v = bytes / f;
      return `${Number.isInteger(v) ? v : v.toFixed(1)}${unit}`;
    }
  }
  return `${bytes}`;
}

/** Sum of quantities, each multiplied by its count. */
export function sumQuantities(parts: readonly (readonly [string, number])[]): number {
  return parts.reduce((total, [q, n]) => total + (parseQuantity(q) ?? 0) * n, 0);
}

/** `a <= b` for quantities (false when either does not parse, so a bad value is never called a fit). */
export function quantityAtMost(a: string, b: string): boolean {
  const x = parseQuantity(a);
  const y = parseQuantity(b);
  return x !== undefined && y !== undefined && x <= y * (1 + 1e-12);
}
