/**
 * The scaling guide's gateway sizing in the gate: memory = 256 MiB + 200 MiB × workers (an error below it), one CPU
 * core per two workers (a warning). Checked on the synth (which refuses) and on what Helm renders.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateDocuments } from '../lib/gate';
import { gatewayMemoryMiB, maxWorkersFor } from '../lib/gate/invariants-sizing';
import { synth } from './support';
import { HELM_NAMES, helmTemplate, requireHelm, ROOT } from './helm/support';

const sizing = (objects: any[]) =>
  validateDocuments(objects.map((object, i) => ({ file: `doc-${i}.yaml`, object })))
    .findings.filter((f) => f.rule === 'invariant/gateway-sizing')
    .map((f) => `${f.severity}: ${f.message}`)
    .sort();

test('the formulas', () => {
  expect([gatewayMemoryMiB(16), gatewayMemoryMiB(8), maxWorkersFor(2), maxWorkersFor(0.5)]).toEqual([3456, 1856, 4, 1]);
});

test('every profile as shipped fits its workers', () => {
  for (const profile of ['kind', 'ocp', 'production']) expect(sizing(synth(profile))).toEqual([]);
});

test('16 workers on 2 CPU / 2 Gi: refused for memory, warned for CPU, with the formulas', () => {
  expect(sizing(synth('kind', ['gateway.workers=16']))).toEqual([
    "error: the gateway runs 16 Gunicorn workers in 2048 MiB: the scaling guide's memory = 256 MiB + 200 MiB × workers asks for 3456 MiB",
    'warning: the gateway runs 16 Gunicorn workers on a 2 CPU limit: the scaling guide allows 1 core per 2 workers (workers = 2 × cores + 1 at most: 5)',
  ]);
});

test('synth stops with the formula and writes nothing', () => {
  const out = mkdtempSync(join(tmpdir(), 'mcp-stack-sizing-'));
  try {
    const r = spawnSync(process.execPath, [join(ROOT, 'build', 'main.js'), 'synth', '--out', out, '--set', 'gateway.workers=16'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('invariant/gateway-sizing');
    expect(r.stderr).toContain('256 MiB + 200 MiB × workers asks for 3456 MiB');
    expect(r.stderr).toContain('raise the gateway memory limit to at least 3456Mi, or run at most 8 workers');
    expect(readdirSync(out)).toEqual([]);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

describe.each(HELM_NAMES)('%s chart', (h) => {
  beforeAll(requireHelm);
  const chart = join(ROOT, 'dist', 'helm', 'mcp-stack');

  test('the gate finds the same sizing problem in what Helm renders with --set gateway.workers=16', () => {
    const rendered = helmTemplate(h, chart, { sets: ['gateway.workers=16'] });
    expect(sizing(rendered)[0]).toContain('asks for 3456 MiB');
    expect(sizing(helmTemplate(h, chart, { sets: ['gateway.workers=16', 'gateway.resources.limits.memory=4Gi', 'gateway.resources.limits.cpu=8000m'] }))).toEqual([]);
  });
});
