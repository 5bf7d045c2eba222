/**
 * Jest global teardown: the run's temporary folder (see global-setup.ts) must be empty, so a test that leaves a
 * folder or file behind fails the run, naming what it left. The folder itself is then removed.
 */
import { readdirSync, rmSync } from 'node:fs';
import { RUN_TMP } from './global-setup';

export default function globalTeardown(): void {
  const dir = process.env[RUN_TMP];
  if (!dir) return;
  const left = readdirSync(dir).sort();
  rmSync(dir, { recursive: true, force: true });
  if (left.length > 0) {
    throw new Error(`the tests left ${left.length} temporary file(s) or folder(s) behind: ${left.slice(0, 20).join(', ')}${left.length > 20 ? ', ...' : ''}`);
  }
}
