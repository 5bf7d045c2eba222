/**
 * The scheduling simulation. The ocp fixture carries the seed's sizing (gateway 3 × 4 CPU, NGINX 3 × 2 CPU with
 * anti-affinity, Redis 1 CPU, fast-time-server 2 × 25m, PGO Postgres 2 CPU, PgBouncer 250m).
 */
import { baseStack, clone, find, policyFor, validate } from './support';
import type { ClusterCapacity, GateDocument } from '../../lib/gate';

const OCP_MEDIUM: ClusterCapacity = { name: 'OCP Medium', nodes: 3, cpu: '8', memory: '32Gi', reservedCpu: '500m' };
const OCP_LARGE: ClusterCapacity = { name: 'OCP Large', nodes: 3, cpu: '16', memory: '32Gi', reservedCpu: '500m' };

function onCluster(docs: GateDocument[], cluster: ClusterCapacity) {
  return validate(docs, { ...policyFor('ocp'), cluster });
}

describe('capacity simulation', () => {
  it('reproduces the seed: on OCP Medium (3 × 8 CPU) the third NGINX pod stays Pending', () => {
    const report = onCluster(baseStack('ocp'), OCP_MEDIUM);
    expect(report.capacity?.pending).toEqual(['Deployment/mcp/mcp-nginx#3']);
    const pending = report.findings.filter((f) => f.rule === 'capacity/pending-pod');
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ severity: 'error', object: 'Deployment/mcp/mcp-nginx' });
    expect(pending[0].message).toContain('requests 2 CPU, 512Mi');
    expect(pending[0].message).toContain('OCP Medium: 3 × 8 CPU / 32Gi, 500m CPU / 0 reserved per node');
    expect(pending[0].message).toMatch(/node-1: 1500m CPU free; node-2: 1500m CPU free; node-3: 1500m CPU free/);
  });

  it('fits everything on OCP Large (3 × 16 CPU), with the gateways spread one per node', () => {
    const report = onCluster(baseStack('ocp'), OCP_LARGE);
    expect(report.capacity?.pending).toEqual([]);
    expect(report.findings.filter((f) => f.rule.startsWith('capacity/'))).toEqual([]);
    for (const node of report.capacity!.nodes) {
      expect(node.pods.filter((p) => p.startsWith('Deployment/mcp/mcp-gateway#'))).toHaveLength(1);
      expect(node.pods.filter((p) => p.startsWith('Deployment/mcp/mcp-nginx#'))).toHaveLength(1);
    }
  });

  it('needs the per-node system reservation for the seed result: without it 3 × 8 CPU just fits', () => {
    const report = onCluster(baseStack('ocp'), { ...OCP_MEDIUM, reservedCpu: undefined });
    expect(report.capacity?.pending).toEqual([]);
  });

  it('places the largest requests first and is deterministic', () => {
    const a = onCluster(baseStack('ocp'), OCP_MEDIUM).capacity;
    const b = onCluster(baseStack('ocp'), OCP_MEDIUM).capacity;
    expect(a).toEqual(b);
    // The 2 CPU / 4Gi Postgres instance goes before the 2 CPU / 512Mi NGINX pods (memory breaks the tie).
    expect(a!.nodes[0].pods.slice(0, 2)).toEqual(['Deployment/mcp/mcp-gateway#1', 'PostgresCluster/mcp/mcp-pg/instance1#1']);
  });

  it('treats required anti-affinity as a hard rule: a fourth NGINX pod cannot share a node', () => {
    const docs = clone(baseStack('ocp'));
    const nginx = find(docs, 'Deployment', 'mcp-nginx');
    nginx.spec.replicas = 4;
    nginx.spec.template.spec.affinity.podAntiAffinity = {
      requiredDuringSchedulingIgnoredDuringExecution: [
        { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'nginx' } } },
      ],
    };
    const report = onCluster(docs, OCP_LARGE);
    expect(report.capacity?.pending).toEqual(['Deployment/mcp/mcp-nginx#4']);
    expect(report.findings.find((f) => f.rule === 'capacity/pending-pod')?.message).toContain('required anti-affinity with Deployment/mcp/mcp-nginx#');
  });

  it('honours DoNotSchedule topology spread across zones', () => {
    const docs = clone(baseStack('ocp'));
    const ft = find(docs, 'Deployment', 'mcp-fast-time-server');
    ft.spec.replicas = 3;
    ft.spec.template.spec.topologySpreadConstraints = [
      { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'fast-time-server' } } },
    ];
    const zones = onCluster(docs, { ...OCP_LARGE, zones: 3 }).capacity!;
    const perNode = zones.nodes.map((n) => n.pods.filter((p) => p.includes('fast-time-server')).length);
    expect(perNode).toEqual([1, 1, 1]);
  });

  it('runs a DaemonSet pod on every node before the other pods', () => {
    const docs = clone(baseStack('ocp'));
    const redis = find(docs, 'Deployment', 'mcp-redis');
    docs.push({ file: 'extra.yaml', object: { ...structuredClone(redis), kind: 'DaemonSet', metadata: { name: 'node-agent', namespace: 'mcp' }, spec: { selector: redis.spec.selector, template: redis.spec.template } } });
    const report = onCluster(docs, OCP_LARGE);
    for (const node of report.capacity!.nodes) expect(node.pods[0]).toBe(`DaemonSet/mcp/node-agent#${node.name}`);
  });

  it('reports nothing about capacity when the policy names no cluster', () => {
    const report = validate(baseStack('ocp'), { ...policyFor('ocp'), cluster: undefined });
    expect(report.capacity).toBeUndefined();
  });
});
