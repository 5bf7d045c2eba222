import { App, Chart } from 'cdk8s';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { McpStack } from '../../lib/stack/mcp-stack';
import { loadValues } from '../../profiles/loader';
import { testApp } from './support';

const DIST = join(__dirname, '..', '..', 'dist');
const key = (o: any) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/** The objects of a committed profile output, without the annotations only the written units carry. */
function committed(profile: string): Map<string, any> {
  const out = new Map<string, any>();
  for (const file of readdirSync(join(DIST, profile)).filter((f) => /^\d\d-.*\.yaml$/.test(f))) {
    for (const o of loadAll(readFileSync(join(DIST, profile, file), 'utf8')) as any[]) if (o) out.set(key(o), o);
  }
  return out;
}

function withoutUnitAnnotations(o: any): any {
  const annotations = { ...(o.metadata.annotations ?? {}) };
  for (const k of ['argocd.argoproj.io/sync-wave', 'argocd.argoproj.io/sync-options', 'helm.sh/resource-policy']) delete annotations[k];
  const metadata = { ...o.metadata, annotations };
  if (Object.keys(annotations).length === 0) delete metadata.annotations;
  return { ...o, metadata };
}

describe('McpStack in a user’s app', () => {
  test('plain `app.synth()` of the stack gives the objects of the committed output of its profile', () => {
    const app = testApp();
    const stack = new McpStack(app, 'mcp', { values: loadValues({ profile: 'production' }) });
    const objects = app.charts.flatMap((c) => c.toJson()).map(withoutUnitAnnotations);
    const expected = committed('production');
    expect(objects.map(key).sort()).toEqual([...expected.keys()].sort());
    for (const o of objects) expect(o).toEqual(withoutUnitAnnotations(JSON.parse(JSON.stringify(expected.get(key(o))))));
    expect(stack.units().map((u) => u.file)).toEqual(['00-namespace.yaml', '10-database.yaml', '20-platform.yaml', '30-network-policies.yaml']);
  });

  test('with no props it is the kind profile; inside a user’s Chart its units become nested charts', () => {
    const app = new App({ outdir: 'unused' });
    const stack = new McpStack(new Chart(app, 'outer'), 'mcp');
    expect(stack.values.profile).toBe('kind');
    expect(app.charts.map((c) => c.node.path)).toEqual(['outer', 'outer/mcp/namespace', 'outer/mcp/database', 'outer/mcp/platform']);
    expect(stack.units().flatMap((u) => u.objects).map(key).sort()).toEqual([...committed('kind').keys()].sort());
  });
});
