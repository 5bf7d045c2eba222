/** `helm`: writes the Helm chart of the stack to `<out>/helm/mcp-stack/`, atomically (all files or none). */
import { join } from 'node:path';
import { CHART_NAME, helmChart, helmChartFiles } from '../helm';
import { OWNER_MARK, writeAtomically, type FileSet } from '../output/index';
import { parseFlags, usage, type FlagSpec } from './args';

export const HELM_FLAGS: Record<string, FlagSpec> = {
  out: { type: 'string', description: `output root; the chart goes to <out>/helm/${CHART_NAME}/ (default dist)` },
  help: { type: 'boolean', description: 'show this help' },
};

/**
 * The chart's files as a synth writes them: the chart, and a `.helmignore` that keeps the writer's ownership mark out
 * of packaged charts (`helm package`).
 */
export function chartFilesOnDisk(files: FileSet = helmChartFiles()): FileSet {
  const mark = `# The mark of the tool that writes this folder; not part of the chart.\n${OWNER_MARK}\n`;
  const ignore = files.get('.helmignore');
  return new Map([...files, ['.helmignore', ignore ? `${ignore.replace(/\n*$/, '\n')}${mark}` : mark]]);
}

/** The chart's folder under an output root. */
export function helmChartDir(out: string): string {
  return join(out, 'helm', CHART_NAME);
}

export function runHelm(argv: readonly string[]): number {
  const { flags } = parseFlags('helm', argv, HELM_FLAGS);
  if (flags.help) {
    process.stdout.write(usage('helm', `Write the Helm chart (every profile as a values file) to <out>/helm/${CHART_NAME}/.`, HELM_FLAGS));
    return 0;
  }
  const dir = helmChartDir((flags.out as string | undefined) ?? 'dist');
  const chart = helmChart();
  writeAtomically(dir, chartFilesOnDisk(chart.files));
  const s = chart.model.stats;
  process.stdout.write(`helm: wrote ${chart.files.size} files to ${dir} (${s.renders} renders of the stack, ${s.milliseconds} ms)\n`);
  return 0;
}
