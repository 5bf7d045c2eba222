/** The Helm chart as `synth --format helm` writes it under an output root. */
import { join } from 'node:path';
import { CHART_NAME, helmChartFiles } from '../helm';
import { OWNER_MARK, type FileSet } from '../output/index';

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
