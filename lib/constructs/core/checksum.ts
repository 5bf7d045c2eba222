/**
 * Digests that both the plain synth and the Helm chart compute the same way, so `helm template` reproduces the
 * plain output byte for byte: JSON exactly as Go's encoding/json writes it (Helm's `toJson`), then sha256.
 */
import { createHash } from 'node:crypto';

/**
 * `checksum/config` pod annotation from the values a pod's configuration is made of: a change rolls the pods.
 * Helm equivalent: `{{ list <parts> | toJson | sha256sum }}`.
 */
export function valuesChecksum(...parts: unknown[]): string {
  return sha256(goJson(parts));
}

/**
 * `valuesChecksum` salted with a constant when one is given, for pods whose configuration the code derives from the
 * values: the salt changes when the code derives it differently, so a release of this tool that does rolls the pods
 * too. Helm equivalent: `{{ printf "%s\n%s" (list <parts> | toJson) <salt> | sha256sum }}`.
 */
export function saltedValuesChecksum(parts: readonly unknown[], salt?: string): string {
  const json = goJson(parts);
  return sha256(salt === undefined ? json : `${json}\n${salt}`);
}

/** A salt for `saltedValuesChecksum`: 16 hex digits of the sha256 of what the code derives from reference settings. */
export function revisionOf(derived: readonly string[]): string {
  return sha256(derived.join('\n')).slice(0, 16);
}

/** Short, stable suffix for names that must change with their content (Helm: `{{ s | sha256sum | trunc 8 }}`). */
export function nameHash(s: string): string {
  return sha256(s).slice(0, 8);
}

/**
 * Short name suffix that changes whenever any of the given values does (optionally salted with a constant): the
 * first 8 hex digits of the sha256 of their Go JSON. Helm equivalent:
 * `{{ list <parts> | toJson | sha256sum | trunc 8 }}` (salted: `printf "%s\n%s" (list <parts> | toJson) <salt>`).
 */
export function valuesNameHash(parts: readonly unknown[], salt?: string): string {
  return saltedValuesChecksum(parts, salt).slice(0, 8);
}

export function sha256(s: string | Buffer): string {
  return createHash('sha256').update(s).digest('hex');
}

/** JSON as Go's encoding/json encodes decoded YAML: map keys sorted, `<`, `>`, `&`, U+2028 and U+2029 escaped. */
export function goJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(goJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${goString(k)}:${goJson(v)}`).join(',')}}`;
  }
  if (typeof value === 'string') return goString(value);
  return JSON.stringify(value);
}

/** Characters Go's encoding/json escapes that `JSON.stringify` writes as they are. */
const GO_ESCAPED = /[<>&\u2028\u2029]/;

function goString(s: string): string {
  const json = JSON.stringify(s);
  // Most strings hold none of them: then no replace and no new string.
  return GO_ESCAPED.test(json) ? json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : json;
}
