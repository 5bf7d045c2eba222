/**
 * Construction-time checks of a construct's own props, for a construct used on its own: the stack's values are
 * validated (with their own messages) before any construct is made, so these never fire for the stack.
 */
import type { IConstruct } from 'constructs';

/** One problem with a prop: its path under the props, the value received, and what is allowed. */
export function propProblem(path: string, received: unknown, allowed: string): string {
  return `${path}: ${allowed} (received ${JSON.stringify(received)})`;
}

/** `path` must be a whole number of at least `min`; returns the problem, if any. */
export function wholeNumberProblem(path: string, value: number, min: number): string | undefined {
  return Number.isInteger(value) && value >= min ? undefined : propProblem(path, value, `must be a whole number >= ${min}`);
}

/** Throws one Error naming the construct and listing every problem, or returns when there is none. */
export function refuseProps(construct: IConstruct, kind: string, problems: readonly (string | undefined)[]): void {
  const found = problems.filter((p): p is string => p !== undefined);
  if (found.length === 0) return;
  throw new Error(`${kind} '${construct.node.path}': invalid props:\n  ${found.join('\n  ')}`);
}
