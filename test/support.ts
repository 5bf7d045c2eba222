/** Test helpers: synthesize a profile in-process and look objects up. */
import { loadValues, type LoadOptions } from '../profiles/loader';
import type { Values } from '../profiles/schema';
import { buildStack } from '../lib/stack/mcp-stack';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function values(profile: string, sets: string[] = [], extra: Omit<LoadOptions, 'profile' | 'sets'> = {}): Values {
  return loadValues({ profile, sets, ...extra });
}

/** Every object of a profile's plain output, in file order. */
export function synth(profile: string, sets: string[] = []): any[] {
  return buildStack(values(profile, sets)).units.flatMap((u) => u.objects);
}

export function find(objects: any[], kind: string, name: string): any {
  const o = objects.find((x) => x.kind === kind && x.metadata?.name === name);
  if (!o) throw new Error(`no ${kind}/${name} in output; have: ${objects.map((x) => `${x.kind}/${x.metadata?.name}`).join(', ')}`);
  return o;
}

export function podSpecs(objects: any[]): { owner: string; spec: any }[] {
  return objects.filter((o) => o.spec?.template?.spec).map((o) => ({ owner: `${o.kind}/${o.metadata.name}`, spec: o.spec.template.spec }));
}

export function containers(objects: any[]): { owner: string; container: any }[] {
  return podSpecs(objects).flatMap(({ owner, spec }) =>
    [...(spec.initContainers ?? []), ...spec.containers].map((container: any) => ({ owner: `${owner}/${container.name}`, container })),
  );
}

/** CPU quantity in millicores. */
export function milliCpu(q: string): number {
  return q.endsWith('m') ? Number(q.slice(0, -1)) : Number(q) * 1000;
}

/** Memory quantity in MiB. */
export function mebibytes(q: string): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti)?$/.exec(q);
  if (!m) throw new Error(`unsupported memory quantity ${q}`);
  const f: Record<string, number> = { Ki: 1 / 1024, Mi: 1, Gi: 1024, Ti: 1024 * 1024 };
  return Number(m[1]) * (m[2] ? f[m[2]] : 1 / (1024 * 1024));
}

/** Every file under `dir` by relative path, for comparing whole output trees. */
export function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, prefix: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p, `${prefix}${name}/`);
      else out[`${prefix}${name}`] = readFileSync(p, 'utf8');
    }
  };
  walk(dir, '');
  return out;
}

const tempDirs: string[] = [];
/** A fresh folder `mcp-stack-<prefix>-XXXXXX` in the system temp folder, removed after the test file that made it. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `mcp-stack-${prefix}-`));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
