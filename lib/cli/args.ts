/**
 * Command-line parsing with every problem reported at once: Node's own `parseArgs` tokenizes (it knows `--x=y`,
 * `--x y` and `--`), and the checks here turn each unknown flag, missing value or conflict into a `Problem`.
 */
import { parseArgs } from 'node:util';
import { InputError, type Problem } from '../../profiles/loader';

export interface FlagSpec {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly description: string;
}

export type ParsedFlags = Record<string, string | boolean | string[] | undefined>;

export function parseFlags(command: string, argv: readonly string[], spec: Record<string, FlagSpec>): { flags: ParsedFlags; positionals: string[] } {
  const problems: Problem[] = [];
  const { tokens } = parseArgs({ args: [...argv], strict: false, allowPositionals: true, tokens: true });
  const flags: ParsedFlags = {};
  const positionals: string[] = [];
  const allowed = Object.keys(spec).map((k) => `--${k}`).join(', ');
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === 'positional') {
      positionals.push(t.value);
      continue;
    }
    if (t.kind !== 'option') continue;
    const s = spec[t.name];
    if (!s) {
      problems.push({ path: t.rawName, message: `unknown flag for '${command}'; allowed: ${allowed}` });
      continue;
    }
    let value: string | boolean | undefined = t.value;
    if (s.type === 'string' && value === undefined) {
      // parseArgs (non-strict) does not know the flag takes a value: take the next positional token.
      const next = tokens[i + 1];
      if (next && next.kind === 'positional') {
        value = next.value;
        i++;
      } else {
        problems.push({ path: t.rawName, message: 'needs a value' });
        continue;
      }
    }
    if (s.type === 'boolean') {
      if (t.value !== undefined) {
        problems.push({ path: t.rawName, message: 'takes no value', received: t.value });
        continue;
      }
      value = true;
    }
    if (s.multiple) flags[t.name] = [...((flags[t.name] as string[] | undefined) ?? []), value as string];
    else if (flags[t.name] !== undefined) problems.push({ path: t.rawName, message: 'given more than once', received: value });
    else flags[t.name] = value;
  }
  if (problems.length) throw new InputError(`invalid arguments for '${command}': ${problems.length} problem${problems.length === 1 ? '' : 's'}`, problems);
  return { flags, positionals };
}

export function usage(command: string, summary: string, spec: Record<string, FlagSpec>): string {
  const rows = Object.entries(spec).map(([k, s]) => `  --${k}${s.type === 'string' ? ' VALUE' : ''}${s.multiple ? ' (repeatable)' : ''}\n      ${s.description}`);
  return `usage: mcp-stack ${command} [flags]\n${summary}\n\nflags:\n${rows.join('\n')}\n`;
}
