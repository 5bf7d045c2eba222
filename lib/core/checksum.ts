import { createHash } from 'node:crypto';

/**
 * Stable digest of configuration a pod mounts, for the `checksum/config` pod annotation: a change to the
 * ConfigMap changes the pod template, so the Deployment rolls. Keys are sorted so the digest ignores key order.
 */
export function configChecksum(...parts: unknown[]): string {
  return createHash('sha256').update(stableStringify(parts)).digest('hex');
}

/** Short, stable suffix for names that must change when their content does (e.g. a Job's pod template is immutable). */
export function shortHash(...parts: unknown[]): string {
  return configChecksum(...parts).slice(0, 8);
}

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
