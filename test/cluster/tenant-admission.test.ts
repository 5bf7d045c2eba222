/**
 * The tenant image rules enforced by a real API server: the kind profile's ValidatingAdmissionPolicy and binding
 * (from the CLI's own output) are accepted, and then refuse Pods and MCPServers in tenant namespaces whose images
 * are outside `tenants.registryAllowList` or float (`latest`, no tag), with the policy's message, while allowed
 * ones are created. Namespaces that are not tenant namespaces are left alone. The digest rule of profiles that pin
 * images is checked with the policy the construct renders with `requireDigests`.
 */
import { loadAll } from 'js-yaml';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StackContext } from '../../lib/constructs/core/context';
import { TenantImagePolicy } from '../../lib/constructs/tenants/admission';
import { tenantFiles } from '../../lib/constructs/tenants';
import { objectsOf, userChart } from '../constructs/support';
import { server, tenant, tenantValues } from '../tenants/fixtures';
import { describeCluster, suiteControlPlane, type ControlPlane } from './control-plane';
import { eventually, serverSideApply, synthStream, tempDir } from './support';

const NS = 'mcp-fetch-acme';
const ALLOWED = 'docker.io/mcp/fetch:2025.4.7';
const DIGEST = `sha256:${'a'.repeat(64)}`;

/** A Pod the restricted Pod Security Standard admits (the LimitRange fills its resources), with one image. */
function pod(name: string, image: string, namespace = NS): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace },
    spec: {
      securityContext: { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{ name: 'mcp', image, securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
    },
  });
}

function create(cp: ControlPlane, manifest: string, dryRun = false): { status: number; stderr: string } {
  return cp.kubectl(['create', ...(dryRun ? ['--dry-run=server'] : []), '-f', '-'], manifest);
}

describeCluster()('tenant image rules enforced by a ValidatingAdmissionPolicy on a real API server', () => {
  const controlPlane = suiteControlPlane();
  let work: string;
  let mcpServer: any;
  beforeAll(() => {
    work = tempDir('tenant-admission');
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  test('the kind output with a tenant applies, policy and binding included', async () => {
    const cp = controlPlane();
    const file = join(work, 'tenants.yaml');
    writeFileSync(file, `tenants:\n  - name: acme\n    servers:\n      - name: fetch\n        image: { repository: docker.io/mcp/fetch, tag: "2025.4.7" }\n        transport: stdio\n`);
    const stream = synthStream(['--profile', 'kind', '--tenants', file]);
    const objects = loadAll(stream) as any[];
    expect(objects.filter((o) => o?.kind?.startsWith('ValidatingAdmissionPolicy')).map((o) => `${o.apiVersion} ${o.kind}`)).toEqual([
      'admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy',
      'admissionregistration.k8s.io/v1 ValidatingAdmissionPolicyBinding',
    ]);
    mcpServer = objects.find((o) => o?.kind === 'MCPServer');
    serverSideApply(cp, stream);
    const policy = JSON.parse(cp.kubectlOk(['get', 'validatingadmissionpolicy', 'mcp-stack-tenant-images.mcp-stack', '-o', 'json']));
    // The API server type-checks the expressions against the Pod and MCPServer schemas and writes every warning.
    expect(await eventually(() => JSON.parse(cp.kubectlOk(['get', 'validatingadmissionpolicy', policy.metadata.name, '-o', 'json'])).status?.observedGeneration === policy.metadata.generation, 60_000)).toBe(true);
    const status = JSON.parse(cp.kubectlOk(['get', 'validatingadmissionpolicy', policy.metadata.name, '-o', 'json'])).status;
    expect(status.typeChecking?.expressionWarnings ?? []).toEqual([]);
    // Pods are admitted against the namespace's quota only once its controller has written the quota's status.
    expect(await eventually(() => cp.kubectlOk(['get', 'resourcequota', 'tenant-quota', '-n', NS, '-o', 'jsonpath={.status.hard}']).length > 2, 60_000)).toBe(true);
    // The policy takes effect once the API server has loaded it.
    expect(await eventually(() => create(cp, pod('probe', 'evil.example.com/x:1'), true).status !== 0, 30_000)).toBe(true);
  }, 180_000);

  test('a Pod with an image from outside the allow list is refused with the policy\'s message', () => {
    const cp = controlPlane();
    const r = create(cp, pod('outside', 'evil.example.com/miner:1.0'));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('ValidatingAdmissionPolicy');
    expect(r.stderr).toContain('images not from an allowed registry (tenants.registryAllowList: docker.io, ghcr.io, quay.io): evil.example.com/miner:1.0');
    // A look-alike of an allowed registry is not that registry.
    expect(create(cp, pod('lookalike', 'docker.io.evil.example.com/x:1')).stderr).toContain('docker.io.evil.example.com/x:1');
  });

  test('a Pod with a floating image (latest, or no tag) is refused; init containers count', () => {
    const cp = controlPlane();
    for (const image of ['docker.io/mcp/fetch:latest', 'docker.io/mcp/fetch', `docker.io/mcp/fetch:latest@${DIGEST}`]) {
      const r = create(cp, pod('floating', image));
      expect([image, r.status === 0]).toEqual([image, false]);
      expect(r.stderr).toContain(`images must be pinned to a tag other than latest: ${image}`);
    }
    const withInit = JSON.parse(pod('init', ALLOWED));
    withInit.spec.initContainers = [{ ...withInit.spec.containers[0], name: 'init', image: 'evil.example.com/x:1' }];
    expect(create(cp, JSON.stringify(withInit)).stderr).toContain('evil.example.com/x:1');
  });

  test('a Pod with an allowed, pinned image is created (by tag, by tag and digest)', () => {
    const cp = controlPlane();
    expect(create(cp, pod('allowed', ALLOWED)).stderr).toBe('');
    expect(create(cp, pod('digested', `ghcr.io/github/github-mcp-server:0.5.0@${DIGEST}`)).status).toBe(0);
    cp.kubectlOk(['get', 'pod', 'allowed', '-n', NS]);
  });

  test('an MCPServer with an image from outside the allow list is refused; the output\'s own is accepted', () => {
    const cp = controlPlane();
    const bad = { ...mcpServer, metadata: { name: 'outside', namespace: NS }, spec: { ...mcpServer.spec, image: 'evil.example.com/x:1' } };
    const r = create(cp, JSON.stringify(bad));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('images not from an allowed registry');
    expect(cp.kubectlOk(['get', 'mcpserver', 'fetch', '-n', NS, '-o', 'jsonpath={.spec.image}'])).toBe(ALLOWED);
  });

  test('namespaces that are not tenant namespaces, or are another release\'s, are not checked', () => {
    const cp = controlPlane();
    cp.kubectlOk(['create', 'namespace', 'someone-else']);
    expect(create(cp, pod('outside', 'evil.example.com/x:1', 'someone-else')).stderr).toBe('');
    cp.kubectlOk(['create', 'namespace', 'other-release-tenant']);
    cp.kubectlOk(['label', 'namespace', 'other-release-tenant', 'mcp-stack.io/tenant-namespace=true', 'app.kubernetes.io/instance=other']);
    expect(create(cp, pod('outside', 'evil.example.com/x:1', 'other-release-tenant')).stderr).toBe('');
  });

  test('a rate-limited server\'s MCPServer is accepted by the real CRD; without Redis session storage it is refused', () => {
    const cp = controlPlane();
    const redis = { address: 'redis.mcp-limits.svc.cluster.local:6379', passwordSecretName: 'limits-redis', passwordKey: 'password', cidrs: ['10.96.40.0/24'], port: 6379 };
    const v = tenantValues('kind', [tenant('acme', [server('limited', { toolCallsPerMinute: 60 })])], { rateLimiting: { redis } });
    const stream = [...tenantFiles(v).entries()].filter(([file]) => !file.endsWith('20-argocd.yaml')).map(([, text]) => text).join('\n---\n');
    serverSideApply(cp, stream);
    expect(JSON.parse(cp.kubectlOk(['get', 'mcpserver', 'limited', '-n', 'mcp-limited-acme', '-o', 'json'])).spec.rateLimiting).toEqual({ shared: { maxTokens: 60, refillPeriod: '1m0s' } });
    const limited = (loadAll(stream) as any[]).find((o) => o?.kind === 'MCPServer');
    const { sessionStorage: _dropped, ...spec } = limited.spec;
    const r = create(cp, JSON.stringify({ ...limited, metadata: { name: 'no-redis', namespace: 'mcp-limited-acme' }, spec }));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("rateLimiting requires sessionStorage with provider 'redis'");
  });

  test('with requireDigests, an MCPServer without a digest is refused and one with a digest is accepted; Pods need none', async () => {
    const cp = controlPlane();
    const chart = userChart();
    new TenantImagePolicy(chart, 'TenantImages', { context: new StackContext({ release: 'mcp-stack', namespace: 'mcp-stack' }), registryAllowList: ['docker.io', 'ghcr.io', 'quay.io'], requireDigests: true });
    serverSideApply(cp, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objectsOf(chart) }));
    const undigested = { ...mcpServer, metadata: { name: 'undigested', namespace: NS } };
    expect(await eventually(() => create(cp, JSON.stringify(undigested), true).status !== 0, 30_000)).toBe(true);
    expect(create(cp, JSON.stringify(undigested)).stderr).toContain(`MCPServer images must carry a digest (images.requireDigests): ${ALLOWED}`);
    const digested = { ...undigested, metadata: { name: 'digested', namespace: NS }, spec: { ...mcpServer.spec, image: `${ALLOWED}@${DIGEST}` } };
    digested.spec.podTemplateSpec.spec.containers[0].image = `${ALLOWED}@${DIGEST}`;
    expect(create(cp, JSON.stringify(digested)).stderr).toBe('');
    expect(create(cp, pod('tag-only', ALLOWED)).stderr).toBe('');
  }, 60_000);
});
