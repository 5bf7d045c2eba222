/**
 * Jest global setup: says once, before any suite, whether the cluster tier can run. Under CI=true a missing control
 * plane fails the run here; elsewhere the tier's suites are skipped and this names them and how to enable them.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { assets, HOW_TO_ENABLE } from './control-plane';

export default function globalSetup(globalConfig: { testPathPattern?: string }): void {
  const a = assets();
  if ('dir' in a) return;
  const suites = readdirSync(__dirname).filter((f) => f.endsWith('.test.ts')).map((f) => `test/cluster/${f}`);
  const pattern = globalConfig.testPathPattern ?? '';
  const selected = suites.filter((s) => !pattern || new RegExp(pattern, 'i').test(join(__dirname, '..', '..', s)));
  if (selected.length === 0) return;
  if (process.env.CI === 'true') throw new Error(`the cluster tier cannot run under CI: ${a.missing}; ${HOW_TO_ENABLE}`);
  process.stderr.write(
    `\ncluster tier not run (${a.missing}): ${selected.join(', ')}\n  to run it: ${HOW_TO_ENABLE}\n\n`,
  );
}
