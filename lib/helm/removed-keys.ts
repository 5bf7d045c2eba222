/**
 * Keys removed from the values (profiles/removed-keys.ts) in the chart: Helm checks the values against the schema
 * before any template runs, and its "additional property not allowed" names no reason. So the schema lists each
 * removed key with the reason as the only value it accepts: Helm 3 and 4 print that value when they refuse it, and
 * editors show the key as deprecated. The validation helper refuses the key whatever its value.
 */
import { removedKeyMessage, removedKeys } from '../../profiles/removed-keys';

type SchemaNode = { properties?: Record<string, unknown>; [k: string]: unknown };

/** A copy of the chart schema with each removed key declared, accepting only its own message. */
export function withRemovedKeys<T extends SchemaNode>(schema: T): T {
  const out = structuredClone(schema);
  for (const { path } of removedKeys) {
    const segs = path.split('.');
    let node: SchemaNode | undefined = out;
    for (const seg of segs.slice(0, -1)) node = node?.properties?.[seg] as SchemaNode | undefined;
    if (!node?.properties) throw new Error(`removed key ${path}: its parent is not in the chart schema`);
    const message = removedKeyMessage(path)!;
    node.properties[segs[segs.length - 1]] = { description: `${message[0].toUpperCase()}${message.slice(1)}.`, deprecated: true, const: message };
  }
  return out;
}

/** Template lines for the validation helper: a removed key present in the values is a problem, with its message. */
export function removedKeyRules(): string {
  return removedKeys
    .map(({ path }) => {
      const segs = path.split('.');
      const parent = ['$v', ...segs.slice(0, -1)].join('.');
      return `{{- if hasKey (${parent} | default dict) ${JSON.stringify(segs[segs.length - 1])} }}{{ $p = append $p ${JSON.stringify(`${path}: ${removedKeyMessage(path)}`)} }}{{ end -}}`;
    })
    .join('\n');
}
