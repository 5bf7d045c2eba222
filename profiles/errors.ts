/** Input errors: every problem found, each with its path, the value received and what is allowed. */

/** One thing wrong with the input: where, what was received, what is allowed. */
export interface Problem {
  readonly path: string;
  readonly message: string;
  readonly received?: unknown;
  /** The layer that set the value: the profile, a values file or `--set`. */
  readonly source?: string;
}

/** Bad input. Carries every problem found, so the CLI prints them all at once and exits 2. */
export class InputError extends Error {
  constructor(
    readonly summary: string,
    readonly problems: readonly Problem[],
  ) {
    super(`${summary}\n${problems.map(formatProblem).join('\n')}`);
    this.name = 'InputError';
  }
}

export function formatProblem(p: Problem): string {
  const received = p.received === undefined ? '' : ` (received ${JSON.stringify(p.received)})`;
  const source = p.source ? ` [from ${p.source}]` : '';
  return `  - ${p.path || '(root)'}: ${p.message}${received}${source}`;
}
