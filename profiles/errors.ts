/**
 * The CLI's error model. Every failure a user can cause or meet is one of three kinds, each with its exit code:
 *
 * - `InputError` (exit 2): bad input. Carries every problem found, each with its path, the value received, what is
 *   allowed and where the value came from, so the user fixes everything in one round.
 * - the output gate's or a check's findings (exit 1): reported by the command itself.
 * - `EnvironmentError` (exit 3): the input was fine but the machine refused (a folder that cannot be written, a
 *   full disk, a path that is a file). Names the path, what went wrong and what to do.
 *
 * Anything else is a bug (exit 4), printed as one line; `MCP_STACK_DEBUG=1` adds the stack trace.
 */

export const EXIT = { ok: 0, findings: 1, input: 2, environment: 3, internal: 4 } as const;

/** One thing wrong with the input: where, what was received, what is allowed. */
export interface Problem {
  readonly path: string;
  readonly message: string;
  readonly received?: unknown;
  /** The layer that set the value: the profile, a values file or `--set`. */
  readonly source?: string;
  /** In a run of several profiles, the profile the problem belongs to. */
  readonly profile?: string;
  /** The value may be a credential: the message says a value was received but never shows it. */
  readonly secret?: boolean;
}

/** Most problems one message lists; the rest are counted (a file of a million bad keys stays a readable message). */
export const MAX_PROBLEMS_SHOWN = 50;
/** Longest received value shown, in characters; longer ones are cut with their length noted. */
export const MAX_RECEIVED_CHARS = 120;

/** Bad input. Carries every problem found, so the CLI prints them all at once and exits 2. */
export class InputError extends Error {
  constructor(
    readonly summary: string,
    readonly problems: readonly Problem[],
  ) {
    super(formatProblems(summary, problems));
    this.name = 'InputError';
  }
}

/** The machine refused something the input asked for reasonably: exit 3, with the path and what to do. */
export class EnvironmentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvironmentError';
  }
}

/** `invalid input: N problems` and the problems, at most `MAX_PROBLEMS_SHOWN` of them. */
export function formatProblems(summary: string, problems: readonly Problem[]): string {
  const lines = [summary];
  const shown = Math.min(problems.length, MAX_PROBLEMS_SHOWN);
  for (let i = 0; i < shown; i++) lines.push(formatProblem(problems[i]));
  if (problems.length > shown) lines.push(`  ... and ${problems.length - shown} more problems of the same input`);
  return lines.join('\n');
}

export function formatProblem(p: Problem): string {
  const received = p.received === undefined ? '' : p.secret ? ' (received a value, not shown: it may be a credential)' : ` (received ${showValue(p.received)})`;
  const source = p.source ? ` [from ${cut(escapeInvisible(p.source))}]` : '';
  const profile = p.profile ? `${p.profile}: ` : '';
  return `  - ${profile}${cut(escapeInvisible(p.path)) || '(root)'}: ${p.message}${received}${source}`;
}

/**
 * A received value as JSON, cut to `MAX_RECEIVED_CHARS`, with characters a terminal shows invisibly (zero-width,
 * direction marks, byte-order marks, other format and control characters) spelled as `\uXXXX`.
 */
export function showValue(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? String(v) : v)) ?? String(value));
  } catch {
    text = String(value);
  }
  text = escapeInvisible(text);
  if (text.length <= MAX_RECEIVED_CHARS) return text;
  return `${text.slice(0, MAX_RECEIVED_CHARS)}... (${text.length} characters in all)`;
}

/** Longest path shown: keys come from user files and can be as long as a value. */
const MAX_PATH_CHARS = 200;

function cut(path: string): string {
  return path.length <= MAX_PATH_CHARS ? path : `${path.slice(0, MAX_PATH_CHARS)}... (${path.length} characters in all)`;
}

/** Format (Cf), control (Cc), separator (Zl, Zp) and non-ASCII space characters, which print as nothing or as a blank. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/gu;

export function escapeInvisible(text: string): string {
  return text.replace(INVISIBLE, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`);
}

/** `1 problem`, `3 problems`. */
export function problemCount(n: number): string {
  return `${n} problem${n === 1 ? '' : 's'}`;
}
