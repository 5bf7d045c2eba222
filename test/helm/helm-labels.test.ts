/**
 * The chart's objects carry the labels Helm users look for (`helm.sh/chart`, `app.kubernetes.io/managed-by: Helm`)
 * on their own metadata, and nowhere else: selectors are immutable and must stay exactly the plain output's (so a
 * release moves between the plain output and the chart without recreating anything), and pod templates stay the
 * plain output's too (a new chart version must not roll every pod).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { helmChartFiles } from '../../lib/helm';
import { byKey, HELM_NAMES, HELM_SERVICE, helmTemplate, keyOf, plain, PROFILES, requireHelm, writeChart } from './support';

let files: ReadonlyMap<string, string>;
let chart: string;
let chartLabel: string;

beforeAll(() => {
  requireHelm();
  files = helmChartFiles();
  chart = writeChart(files);
  const meta = load(readFileSync(join(chart, 'Chart.yaml'), 'utf8')) as { name: string; version: string };
  chartLabel = `${meta.name}-${meta.version}`;
});

const raw = (h: (typeof HELM_NAMES)[number], profile: string, dir = chart) =>
  helmTemplate(h, dir, { valuesFiles: [join(dir, `values-${profile}.yaml`)], helmLabels: 'keep' });

/** Every subtree under a key naming a selector (`selector`, `podSelector`, `namespaceSelector`, …), by path. */
function selectors(o: any): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const walk = (x: unknown, path: string) => {
    if (!x || typeof x !== 'object') return;
    for (const [k, v] of Object.entries(x)) {
      if (/selector$/i.test(k)) out[`${path}.${k}`] = v;
      else walk(v, `${path}.${k}`);
    }
  };
  walk(o, keyOf(o));
  return out;
}

/** Every pod template's metadata (Deployments, StatefulSets, Jobs, CronJobs), by path. */
function podTemplates(o: any): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const walk = (x: unknown, path: string) => {
    if (!x || typeof x !== 'object') return;
    for (const [k, v] of Object.entries(x)) {
      if (k === 'template' && v && typeof v === 'object' && 'spec' in v) out[`${path}.template.metadata`] = (v as any).metadata;
      walk(v, `${path}.${k}`);
    }
  };
  walk(o, keyOf(o));
  return out;
}

const merged = (objects: readonly any[], f: (o: any) => Record<string, unknown>) => Object.assign({}, ...objects.map(f));

describe.each(HELM_NAMES)('%s template: Helm labels', (h) => {
  test.each(PROFILES)('values-%s.yaml: every object carries helm.sh/chart and managed-by Helm on its own labels', (profile) => {
    const objects = raw(h, profile);
    expect(objects.length).toBeGreaterThan(10);
    const missing = objects.filter((o) => o.metadata?.labels?.['helm.sh/chart'] !== chartLabel || o.metadata.labels['app.kubernetes.io/managed-by'] !== HELM_SERVICE);
    expect(missing.map(keyOf)).toEqual([]);
  });

  test.each(PROFILES)('values-%s.yaml: selectors and pod templates are exactly the plain output\'s', (profile) => {
    const objects = raw(h, profile);
    const reference = plain(profile);
    expect(Object.keys(byKey(objects)).sort()).toEqual(Object.keys(byKey(reference)).sort());
    const sel = merged(objects, selectors);
    expect(Object.keys(sel).length).toBeGreaterThan(5);
    expect(sel).toEqual(merged(reference, selectors));
    const pods = merged(objects, podTemplates);
    expect(Object.keys(pods).length).toBeGreaterThan(3);
    expect(pods).toEqual(merged(reference, podTemplates));
    // Nowhere but the objects' own labels.
    for (const o of objects) {
      const { labels: _labels, ...meta } = o.metadata;
      const rest = JSON.stringify({ ...o, metadata: meta });
      expect(rest).not.toContain('helm.sh/chart');
      expect(rest).not.toContain(`"app.kubernetes.io/managed-by":"${HELM_SERVICE}"`);
    }
  });

  test('a chart version with build metadata becomes a valid label value (+ → _)', () => {
    const changed = new Map(files);
    changed.set('Chart.yaml', files.get('Chart.yaml')!.replace(/^version: .*$/m, 'version: 1.2.3+build.7'));
    const dir = writeChart(changed);
    const objects = raw(h, 'kind', dir);
    expect(new Set(objects.map((o) => o.metadata.labels['helm.sh/chart']))).toEqual(new Set(['mcp-stack-1.2.3_build.7']));
  });
});

test('the plain output keeps its own managed-by and has no helm.sh/chart', () => {
  for (const profile of PROFILES) {
    for (const o of plain(profile)) {
      expect(o.metadata.labels['app.kubernetes.io/managed-by']).toBe('mcp-stack-cdk8s');
      expect(JSON.stringify(o)).not.toContain('helm.sh/chart');
    }
  }
});

