/** The project README as the tests that run its text read it: sections, fenced code blocks, command lines. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export function readme(): string {
  return readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
}

/** The text of a `## ` section (its heading as written), up to the next `## ` heading. */
export function readmeSection(heading: string, text = readme()): string {
  const start = text.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README.md has no "${heading}" section`);
  const end = text.indexOf('\n## ', start + heading.length + 2);
  return text.slice(start, end < 0 ? undefined : end);
}

/** The fenced code blocks of a text, in order, each with its language (`sh`, `yaml`, or empty). */
export function codeBlocks(text: string): { lang: string; text: string }[] {
  return [...text.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1], text: m[2] }));
}

/** The command lines of a code block: `\` continuations joined, `# comments` and empty lines dropped. */
export function commandLines(block: string): string[] {
  return block
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter(Boolean);
}
