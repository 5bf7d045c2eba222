/**
 * The identity listing of a synth record (lib/output/record.ts): its digest must be the one the launcher computes
 * with the real `find`, `sort` and `sha256sum`, and it must be refused whenever a later write could keep it.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IDENTITY_FORMAT, identityDigest } from '../lib/output/record';
import { tempDir } from './support';

/** What the launcher prints for these paths: `find -H … -printf IDENTITY | LC_ALL=C sort | sha256sum`. */
function launcherDigest(paths: string[]): string {
  const r = spawnSync('sh', ['-c', 'find -H "$@" -printf "$IDENTITY" | LC_ALL=C sort | sha256sum', 'sh', ...paths], { encoding: 'utf8', env: { ...process.env, IDENTITY: IDENTITY_FORMAT } });
  expect(r.status).toBe(0);
  return r.stdout.split(' ')[0];
}

function listing(paths: string[]): string {
  const r = spawnSync('find', ['-H', ...paths, '-printf', IDENTITY_FORMAT], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  return r.stdout;
}

/** A folder whose names sort differently by byte than by locale (capitals, spaces, dots), and a file beside it. */
function sample(): string[] {
  const dir = join(tempDir('record'), 'out');
  mkdirSync(join(dir, 'b folder'), { recursive: true });
  for (const name of ['a.yaml', 'B.yaml', '.mark', 'b folder/x y.yaml', 'b-c.yaml']) writeFileSync(join(dir, name), name);
  const input = join(dir, '..', 'values.yaml');
  writeFileSync(input, 'gateway: {}\n');
  return [dir, input];
}

const FAR_FUTURE = 10n ** 20n;

describe('the identity digest of a synth record', () => {
  it('is what the launcher computes from the same files', () => {
    const paths = sample();
    expect(identityDigest(listing(paths), FAR_FUTURE)).toBe(launcherDigest(paths));
  });

  it('is refused when a listed time is not older than the probe (a write in the same tick could keep it)', () => {
    const paths = sample();
    const [dir, input] = paths;
    const entries = [dir, input, ...['b folder', 'a.yaml', 'B.yaml', '.mark', 'b folder/x y.yaml', 'b-c.yaml'].map((name) => join(dir, name))];
    const newest = entries.map((p) => statSync(p, { bigint: true })).reduce((max, st) => [st.mtimeNs, st.ctimeNs, max].reduce((a, b) => (a > b ? a : b)), 0n);
    expect(identityDigest(listing(paths), newest)).toBeUndefined();
    expect(identityDigest(listing(paths), newest + 1n)).toBe(launcherDigest(paths));
  });

  it('is refused for times in whole seconds (a file system that keeps no fraction) and for a cut listing', () => {
    const line = (t: string) => `/out/a.yaml 12 ${t} 1733500000.1234567890 42 644 f\n`;
    expect(identityDigest(line('1733500000.1234567890'), FAR_FUTURE)).toMatch(/^[0-9a-f]{64}$/);
    expect(identityDigest(line('1733500000.0000000000'), FAR_FUTURE)).toBeUndefined();
    expect(identityDigest(line('1733500000.1234567890').slice(0, -1), FAR_FUTURE)).toBeUndefined();
    expect(identityDigest('', FAR_FUTURE)).toBeUndefined();
  });
});
