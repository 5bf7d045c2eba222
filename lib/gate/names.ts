/**
 * Name and label formats the API server enforces (apimachinery `validation`), as predicates with messages.
 */

export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const IANA_SVC_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
/** Environment variable names as Kubernetes 1.28 accepts them. */
const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;

export type NameFormat = 'dns1123-label' | 'dns1123-subdomain' | 'dns1035-label';

/** Why `name` is not valid in `format`, or undefined when it is. */
export function nameProblem(name: string, format: NameFormat): string | undefined {
  const max = format === 'dns1123-subdomain' ? 253 : 63;
  if (name.length > max) return `is ${name.length} characters long; at most ${max} are allowed`;
  const re = format === 'dns1123-label' ? DNS1123_LABEL : format === 'dns1035-label' ? DNS1035_LABEL : DNS1123_SUBDOMAIN;
  if (re.test(name)) return undefined;
  switch (format) {
    case 'dns1035-label':
      return "must be a DNS-1035 label: lower-case letters, digits and '-', starting with a letter and ending alphanumeric";
    case 'dns1123-label':
      return "must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending alphanumeric";
    default:
      return "must be a DNS-1123 subdomain: lower-case alphanumeric labels of letters, digits and '-', separated by '.'";
  }
}

/** Problem with a label or annotation key (`[prefix/]name`). */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined) {
    if (!prefix || prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix)) return `prefix '${prefix}' must be a DNS-1123 subdomain (at most 253 characters)`;
  }
  if (!name || name.length > 63) return `name part '${name}' must be 1 to 63 characters`;
  if (!QUALIFIED_NAME.test(name)) return `name part '${name}' must consist of alphanumerics, '-', '_' or '.', starting and ending alphanumeric`;
  return undefined;
}

export function labelValueProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return `must be a string, got ${JSON.stringify(value)}`;
  if (value === '') return undefined;
  if (value.length > 63) return `is ${value.length} characters long; at most 63 are allowed`;
  if (!QUALIFIED_NAME.test(value)) return "must consist of alphanumerics, '-', '_' or '.', starting and ending alphanumeric";
  return undefined;
}

/** Container port names: IANA service names, at most 15 characters. */
export function portNameProblem(name: string): string | undefined {
  if (name.length > 15) return `is ${name.length} characters long; at most 15 are allowed`;
  if (!IANA_SVC_NAME.test(name)) return "must be lower-case letters, digits and '-', starting and ending alphanumeric";
  if (name.includes('--')) return "must not contain '--'";
  if (!/[a-z]/.test(name)) return 'must contain at least one letter';
  return undefined;
}

export function envVarNameProblem(name: string): string | undefined {
  return ENV_VAR_NAME.test(name) ? undefined : "must consist of letters, digits, '_', '-' or '.', not starting with a digit";
}

export function configKeyProblem(key: string): string | undefined {
  if (key.length > 253) return `is ${key.length} characters long; at most 253 are allowed`;
  return CONFIG_KEY.test(key) ? undefined : "must consist of alphanumerics, '-', '_' or '.'";
}
