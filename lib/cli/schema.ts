/** `schema`: the values schema as JSON Schema, for editors and for checking values files outside this tool. */
import { valuesJsonSchema } from '../../profiles/schema';
import { parseFlags, usage, type FlagSpec } from './args';

export const SCHEMA_FLAGS: Record<string, FlagSpec> = {
  help: { type: 'boolean', description: 'show this help' },
};

export function runSchema(argv: readonly string[]): number {
  const { flags } = parseFlags('schema', argv, SCHEMA_FLAGS);
  if (flags.help) {
    process.stdout.write(
      usage('schema', 'Print the values schema (JSON Schema draft 2020-12) to stdout; it takes no other flags.', SCHEMA_FLAGS, [
        'mcp-stack schema > values.schema.json',
      ]),
    );
    return 0;
  }
  process.stdout.write(`${JSON.stringify(valuesJsonSchema(), null, 2)}\n`);
  return 0;
}
