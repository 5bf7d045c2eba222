/**
 * The OCP seed's sizing statements, reproduced with the shipped ocp profile and its declared cluster (3 workers,
 * with OpenShift's per-node system reservation): the stack fits OCP Large with and without the benchmark, and on
 * OCP Medium (3 x 8 CPU) the third NGINX pod stays Pending.
 */
import { buildStack } from '../lib/stack/mcp-stack';
import { validateDocuments } from '../lib/gate';
import { gatePolicy } from '../lib/gate/profiles';
import { values } from './support';

function onDeclaredCluster(sets: string[]) {
  const v = values('ocp', sets);
  const docs = buildStack(v).units.flatMap((u) => u.objects).map((object, i) => ({ file: `doc-${i}.yaml`, object }));
  return validateDocuments(docs, { policy: gatePolicy(v) });
}

test('the shipped ocp profile declares the per-node reservation', () => {
  expect(values('ocp').cluster).toMatchObject({ nodes: 3, cpu: '16', memory: '32Gi', reservedCpu: '500m', reservedMemory: '1Gi' });
});

test('OCP Large: every pod fits, also with the Locust benchmark (about 2 CPU more)', () => {
  expect(onDeclaredCluster([]).capacity?.pending).toEqual([]);
  expect(onDeclaredCluster(['benchmark.enabled=true']).capacity?.pending).toEqual([]);
});

test('OCP Medium (3 x 8 CPU): the third NGINX pod stays Pending, as the seed says', () => {
  const report = onDeclaredCluster(['cluster.cpu=8', 'cluster.name=OCP Medium']);
  expect(report.capacity?.pending).toEqual(['Deployment/mcp-stack/mcp-stack-nginx#3']);
  const finding = report.findings.find((f) => f.rule === 'capacity/pending-pod');
  expect(finding?.message).toContain('stays Pending on OCP Medium: 3 × 8 CPU / 32Gi, 500m CPU / 1Gi reserved per node');
});
