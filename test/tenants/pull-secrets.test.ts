/**
 * Image pull Secrets and the image mirror for the tenants: the tenant MCP server pods and the tenant registration
 * Job name the stack's pull Secrets (`images.pullSecrets`); the registration Job runs the gateway image through
 * `global.imageRegistry`, while a tenant's own image is written as the tenant gave it (see lib/constructs/tenants/
 * workloads.ts for why). The output gate, run by the real synth, takes the pull Secrets as made in each server
 * namespace by the user.
 */
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { tenantFiles } from '../../lib/constructs/tenants';
import { buildStack } from '../../lib/stack/mcp-stack';
import type { Values } from '../../profiles/schema';
import { tempDir } from '../support';

const ROOT = join(__dirname, '..', '..');
import { sampleTenants, tenantValues } from './fixtures';

const MIRROR = 'mirror.example.com:5000/hub';

function serverPods(v: Values): { namespace: string; image: string; spec: any }[] {
  const objects = [...tenantFiles(v).values()].flatMap((text) => loadAll(text) as any[]).filter((o) => o?.kind === 'MCPServer');
  expect(objects.length).toBe(4);
  return objects.map((o) => ({ namespace: o.metadata.namespace, image: o.spec.image, spec: o.spec.podTemplateSpec.spec }));
}

function registrationJob(v: Values): any {
  const jobs = buildStack(v)
    .units.flatMap((u) => u.objects as any[])
    .filter((o) => o.kind === 'Job' && o.metadata.name.startsWith('mcp-stack-register-tenants-'));
  expect(jobs).toHaveLength(1);
  return jobs[0].spec.template.spec;
}

describe('tenant pods and the stack\'s pull Secrets', () => {
  test('ocp: every tenant server pod and the tenant registration Job name the profile\'s dockerhub-pull', () => {
    const v = tenantValues('ocp', sampleTenants());
    for (const pod of serverPods(v)) expect(pod.spec.imagePullSecrets).toEqual([{ name: 'dockerhub-pull' }]);
    expect(registrationJob(v).imagePullSecrets).toEqual([{ name: 'dockerhub-pull' }]);
  });

  test('pull Secrets given in the values reach them in order; none given, no pod names any', () => {
    const v = tenantValues('kind', sampleTenants(), {}, { images: { pullSecrets: ['corp-pull', 'hub-pull'] } });
    for (const pod of serverPods(v)) expect(pod.spec.imagePullSecrets).toEqual([{ name: 'corp-pull' }, { name: 'hub-pull' }]);
    expect(registrationJob(v).imagePullSecrets).toEqual([{ name: 'corp-pull' }, { name: 'hub-pull' }]);
    const none = tenantValues('kind', sampleTenants());
    for (const pod of serverPods(none)) expect(pod.spec).not.toHaveProperty('imagePullSecrets');
    expect(registrationJob(none)).not.toHaveProperty('imagePullSecrets');
  });

  test('global.imageRegistry: the registration Job pulls the gateway image from the mirror, tenant images stay as given', () => {
    const v = tenantValues('kind', sampleTenants(), {}, { global: { imageRegistry: MIRROR } });
    const given = new Set(['docker.io/mcp/fetch', 'ghcr.io/acme/mcp-server', 'quay.io/containers/kubernetes_mcp_server']);
    for (const pod of serverPods(v)) {
      expect(given.has(pod.image.split(':')[0])).toBe(true);
      expect(pod.spec.containers[0].image).toBe(pod.image);
    }
    expect(registrationJob(v).containers[0].image).toBe(`${MIRROR}/ibm/mcp-context-forge:v1.0.7`);
  });
});

describe('the synth and its output gate', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir('tenant-pull');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('ocp with tenants passes the gate: the pull Secret is one the user makes in every server namespace', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'build', 'main.js'), 'synth', '--profile', 'ocp', '--tenants', join(ROOT, 'examples', 'tenants.yaml'), '--stdout'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const pods = (loadAll(r.stdout) as any[]).filter((o) => o?.kind === 'MCPServer');
    expect(pods.map((o) => o.spec.podTemplateSpec.spec.imagePullSecrets)).toEqual(pods.map(() => [{ name: 'dockerhub-pull' }]));
  });

  test('secrets tells the user to create the pull Secrets in the server namespaces too', () => {
    const file = join(dir, 'pull.yaml');
    writeFileSync(file, 'images:\n  pullSecrets: [corp-pull]\n');
    const r = spawnSync(process.execPath, [join(ROOT, 'build', 'main.js'), 'secrets', '--profile', 'production', '--values', file], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('corp-pull');
    expect(r.stdout).toContain('Tenant MCP server pods name the same pull Secrets: create them in each server namespace too');
  });
});
