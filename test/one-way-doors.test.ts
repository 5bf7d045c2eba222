/**
 * Reading a previous release for the one-way-door check parses only the documents that can hold a door. These tests
 * hold that shortcut to the plain reading: every object of the kinds with a door, and nothing else, whatever the YAML
 * style. The doors themselves are tested on a real API server (test/cluster/one-way-doors.test.ts).
 */
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { doorObjectsOf, readRelease } from '../lib/output/one-way-doors';

const ROOT = join(__dirname, '..');
const DOOR_KINDS = ['StatefulSet', 'Deployment', 'DaemonSet', 'ReplicaSet', 'PersistentVolumeClaim', 'PostgresCluster'];

/** The plain reading: every document of every YAML file parsed, then the kinds with a door kept. */
function everyDoorObject(dir: string): any[] {
  const out: any[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.yaml')) out.push(...(loadAll(readFileSync(path, 'utf8')) as any[]).filter((o) => o && DOOR_KINDS.includes(o.kind)));
    }
  };
  walk(dir);
  return out;
}

describe('reading the previous release', () => {
  test.each(['kind', 'ocp', 'production'])('dist/%s: the same door objects as parsing every document', (folder) => {
    const expected = everyDoorObject(join(ROOT, 'dist', folder));
    expect(readRelease(join(ROOT, 'dist', folder))).toEqual(expected);
    expect(expected.length).toBeGreaterThan(0);
  });

  test('any YAML style of a door kind is found; other kinds and look-alike text are not returned', () => {
    const text = [
      '# a comment naming a Deployment',
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: {name: notes}',
      'data:',
      '  note: |',
      '    a StatefulSet lives here',
      '    --- not a document marker: indented inside a block scalar',
      '--- {apiVersion: apps/v1, kind: Deployment, metadata: {name: flow}}',
      '---',
      '"kind": "StatefulSet"',
      '"metadata": {"name": "quoted"}',
      '---',
      'kind: Role',
      'metadata: {name: reader}',
      'rules: [{resources: [deployments, statefulsets]}]',
      '...',
      '---',
      'kind: PersistentVolumeClaim',
      'metadata: {name: data}',
      '',
    ].join('\n');
    const found = doorObjectsOf(text);
    expect(found.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Deployment/flow', 'StatefulSet/quoted', 'PersistentVolumeClaim/data']);
    expect(found).toEqual((loadAll(text) as any[]).filter((o) => o && DOOR_KINDS.includes(o.kind)));
  });

  test('files without any door kind are not parsed at all: broken YAML there does not matter, broken YAML in a door file does', () => {
    const dir = mkdtempSync(join(tmpdir(), 'doors-'));
    try {
      mkdirSync(join(dir, 'tenants'));
      writeFileSync(join(dir, 'tenants', 'a.yaml'), 'kind: Namespace\nmetadata: {name: [unclosed\n');
      writeFileSync(join(dir, '10-app.yaml'), 'kind: Deployment\nmetadata: {name: app}\n');
      expect(readRelease(dir).map((o) => o.metadata.name)).toEqual(['app']);
      writeFileSync(join(dir, '10-app.yaml'), 'kind: Deployment\nmetadata: {name: [unclosed\n');
      expect(() => readRelease(dir)).toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
