/**
 * Jest global setup. Gives the run its own temporary folder (every test, and every program a test starts, writes its
 * temporary files there; global-teardown.ts fails the run if anything is left in it), and says once, before any
 * suite, whether the cluster tier can run: under CI=true a missing control plane fails the run here; elsewhere the
 * tier's suites are skipped and this names them and how to enable them.
 */
import { chmodSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assets, HOW_TO_ENABLE } from './cluster/control-plane';

/** Names the run's temporary folder for the teardown (the workers and programs see it as TMPDIR). */
export const RUN_TMP = 'MCP_STACK_TEST_TMPDIR';

export default function globalSetup(globalConfig: { testPathPattern?: string }): void {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-stack-test-run-'));
  // Traversable by others, as the system's temporary folder is: some tests run a program as an unprivileged user.
  chmodSync(dir, 0o755);
  process.env[RUN_TMP] = dir;
  process.env.TMPDIR = dir;
  clusterTier(globalConfig);
}

function clusterTier(globalConfig: { testPathPattern?: string }): void {
  const a = assets();
  if ('dir' in a) return;
  const suites = readdirSync(join(__dirname, 'cluster')).filter((f) => f.endsWith('.test.ts')).map((f) => `test/cluster/${f}`);
  const pattern = globalConfig.testPathPattern ?? '';
  const selected = suites.filter((s) => !pattern || new RegExp(pattern, 'i').test(join(__dirname, '..', s)));
  if (selected.length === 0) return;
  if (process.env.CI === 'true') throw new Error(`the cluster tier cannot run under CI: ${a.missing}; ${HOW_TO_ENABLE}`);
  process.stderr.write(
    `\ncluster tier not run (${a.missing}): ${selected.join(', ')}\n  to run it: ${HOW_TO_ENABLE}\n\n`,
  );
}
