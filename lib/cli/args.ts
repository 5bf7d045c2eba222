/**
 * Command-line parsing with every problem reported at once: Node's own `parseArgs` tokenizes (it knows `--x=y`,
 * `--x y` and `--`), and the checks here turn each unknown flag, missing or empty value, conflict and stray argument
 * into a `Problem`.
 */
import { parseArgs } from 'node:util';
import { InputError, problemCount, type Problem } from '../../profiles/loader';

export interface FlagSpec {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly description: string;
}

export type ParsedFlags = Record<string, string | boolean | string[] | undefined>;

export interface ParseOptions {
  /** What positional arguments are, for the help (e.g. `PATH...`); without it, positional arguments are refused. */
  readonly positionals?: string;
}

/** Flags and positionals, with every problem found (none thrown): the caller adds its own and reports once. */
export function collectFlags(
  command: string,
  argv: readonly string[],
  spec: Record<string, FlagSpec>,
  options: ParseOptions = {},
): { flags: ParsedFlags; positionals: string[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const { tokens } = parseArgs({ args: [...argv], strict: false, allowPositionals: true, tokens: true });
  const flags: ParsedFlags = {};
  const positionals: string[] = [];
  const allowed = Object.keys(spec).map((k) => `--${k}`).join(', ');
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === 'positional') {
      if (options.positionals) positionals.push(t.value);
      else problems.push({ path: t.value, message: `unexpected argument: '${command}' takes only flags (${allowed})` });
      continue;
    }
    if (t.kind !== 'option') continue;
    const name = t.name === 'h' && spec.help ? 'help' : t.name;
    const s = spec[name];
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
    if (s.type === 'string' && value === '') {
      problems.push({ path: t.rawName, message: 'needs a non-empty value', received: '' });
      continue;
    }
    if (s.type === 'boolean') {
      if (t.value !== undefined) {
        problems.push({ path: t.rawName, message: 'takes no value', received: t.value });
        continue;
      }
      value = true;
    }
    if (s.multiple) flags[name] = [...((flags[name] as string[] | undefined) ?? []), value as string];
    else if (flags[name] !== undefined) problems.push({ path: t.rawName, message: 'given more than once', received: value });
    else flags[name] = value;
  }
  return { flags, positionals, problems };
}

/** Like `collectFlags`, but throws the `InputError` at once (for commands with nothing more to check). */
export function parseFlags(command: string, argv: readonly string[], spec: Record<string, FlagSpec>, options: ParseOptions = {}): { flags: ParsedFlags; positionals: string[] } {
  const { flags, positionals, problems } = collectFlags(command, argv, spec, options);
  throwIfAny(`invalid arguments for '${command}'`, problems);
  return { flags, positionals };
}

export function throwIfAny(summary: string, problems: readonly Problem[]): void {
  if (problems.length) throw new InputError(`${summary}: ${problemCount(problems.length)}`, problems);
}

/** A command's help: what it does, its flags (defaults are in the descriptions), examples and the exit codes. */
export function usage(command: string, summary: string, spec: Record<string, FlagSpec>, examples: readonly string[] = [], options: ParseOptions = {}): string {
  const rows = Object.entries(spec).map(([k, s]) => `  --${k}${s.type === 'string' ? ' VALUE' : ''}${s.multiple ? ' (repeatable)' : ''}\n      ${s.description}`);
  const lines = [`usage: mcp-stack ${command} [flags]${options.positionals ? ` [${options.positionals}]` : ''}`, summary, '', 'flags:', ...rows];
  if (examples.length) lines.push('', 'examples:', ...examples.map((e) => `  ${e}`));
  lines.push('', EXIT_CODES_HELP);
  return `${lines.join('\n')}\n`;
}

export const EXIT_CODES_HELP =
  'exit codes: 0 done; 1 the output gate found errors, the check found stale output or the diff found differences; ' +
  '2 bad input (every problem listed); 3 the environment refused (unwritable, full or foreign folder); ' +
  '4 internal error (MCP_STACK_DEBUG=1 shows the stack trace); 128+N stopped by signal N (the output is as it was).';
