import { InputError } from './errors';
import { readYamlInput } from './yaml-input';

/**
 * Reads a tenants file: a YAML mapping with one key, `tenants`, holding the list of tenants. Returns that list for
 * `values.tenants.items`; the schema checks the entries.
 */
export function loadTenantsFile(path: string): unknown {
  const fail = (message: string): never => {
    throw new InputError('invalid input: 1 problem', [{ path: '--tenants', message, received: path }]);
  };
  const input = readYamlInput(path);
  if (!input.ok) return fail(input.message);
  const data = input.data;
  const shape = 'must hold a YAML mapping with one key, tenants, listing the tenants';
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return fail(shape);
  const extra = Object.keys(data).filter((k) => k !== 'tenants');
  if (extra.length) fail(`${shape}; unknown key${extra.length > 1 ? 's' : ''}: ${extra.join(', ')}`);
  const tenants = (data as { tenants?: unknown }).tenants;
  if (!Array.isArray(tenants)) fail(`${shape}; tenants must be a list`);
  return tenants;
}
