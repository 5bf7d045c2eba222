import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiObject, App, Chart } from 'cdk8s';
import { StackContext } from '../../lib/constructs/core/context';
import { tenantCatalog, tenantRegistration, tenantRegistrationEnabled, type CatalogEntry } from '../../lib/constructs/tenants';
import { CATALOG_SHARD_SIZE, OWNER_TAG } from '../../lib/constructs/tenants/registration';
import { registerPython, registerShell } from '../../lib/constructs/tenants/registration-script';
import type { Values } from '../../profiles/schema';
import { redisUrlPrologue } from '../../lib/constructs/gateway';
import { sampleTenants, server, tenant, tenantValues } from './fixtures';

const gateway = {
  image: 'ghcr.io/ibm/mcp-context-forge:v1.0.8',
  imageSpec: { repository: 'ghcr.io/ibm/mcp-context-forge', tag: 'v1.0.8', user: 10001 },
  url: 'http://mcp-stack-gateway.mcp-stack.svc.cluster.local',
  envFrom: [{ configMapRef: { name: 'mcp-stack-gateway' } }, { secretRef: { name: 'mcp-stack-gateway' } }],
  redisEnv: [{ name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'mcp-stack-redis', key: 'REDIS_PASSWORD' } } }],
  withRedisUrl: (script: string) => ['/bin/sh', '-c', redisUrlPrologue('mcp-stack-redis.mcp-stack.svc.cluster.local', 6379) + script],
};

function synth(v: Values): { objects: any[]; ctx: StackContext } {
  const ctx = StackContext.fromValues(v);
  const chart = new Chart(new App(), 'platform');
  tenantRegistration(chart, v, ctx, gateway);
  return { objects: chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject).map((o) => o.toJson()), ctx };
}

describe('the catalog: every tenant server, its in-cluster URL and transport', () => {
  test('entries', () => {
    expect(tenantCatalog(tenantValues('kind', sampleTenants()))).toEqual([
      { name: 'mcp-fetch-acme', url: 'http://mcp-fetch-proxy.mcp-fetch-acme.svc.cluster.local:8080/mcp', transport: 'STREAMABLEHTTP', tenant: 'acme', server: 'fetch' },
      { name: 'mcp-github-globex', url: 'http://mcp-github-proxy.mcp-github-globex.svc.cluster.local:8080/mcp', transport: 'STREAMABLEHTTP', tenant: 'globex', server: 'github' },
      { name: 'mcp-kube-initech', url: 'http://mcp-kube-proxy.mcp-kube-initech.svc.cluster.local:8080/mcp', transport: 'STREAMABLEHTTP', tenant: 'initech', server: 'kube' },
      { name: 'mcp-time-globex', url: 'http://mcp-time-proxy.mcp-time-globex.svc.cluster.local:8080/sse', transport: 'SSE', tenant: 'globex', server: 'time' },
    ]);
  });

  test('a stdio server is reached the way its proxy speaks; ports come from the server', () => {
    const [sse, custom] = tenantCatalog(tenantValues('kind', [tenant('a', [server('x', { transport: 'stdio', proxyMode: 'sse' }), server('y', { proxyPort: 9090 })])]));
    expect(sse).toMatchObject({ url: 'http://mcp-x-proxy.mcp-x-a.svc.cluster.local:8080/sse', transport: 'SSE' });
    expect(custom.url).toBe('http://mcp-y-proxy.mcp-y-a.svc.cluster.local:9090/mcp');
  });
});

describe('one reconciling Job in the gateway namespace', () => {
  const v = tenantValues('production', sampleTenants());
  const { objects, ctx } = synth(v);
  const job = objects.find((o) => o.kind === 'Job');
  const container = job.spec.template.spec.containers[0];

  test('only when enabled and there are tenants', () => {
    expect(tenantRegistrationEnabled(v)).toBe(true);
    expect(tenantRegistrationEnabled(tenantValues('kind', []))).toBe(false);
    expect(synth(tenantValues('kind', sampleTenants(), { registration: { enabled: false, retrySeconds: 60, parallelism: 1 } })).objects).toEqual([]);
  });

  test('a PostSync/post-install hook, named after its content, in the stack namespace', () => {
    expect(job.metadata.name).toMatch(/^mcp-stack-register-tenants-[0-9a-f]{8}$/);
    expect(job.metadata.namespace).toBe('mcp-stack');
    expect(job.metadata.annotations).toMatchObject({ 'argocd.argoproj.io/hook': 'PostSync', 'helm.sh/hook': 'post-install,post-upgrade' });
    expect(job.metadata.labels['app.kubernetes.io/component']).toBe('tenant-registration');
    const other = synth(tenantValues('production', sampleTenants().slice(1))).objects.find((o) => o.kind === 'Job');
    expect(other.metadata.name).not.toBe(job.metadata.name);
    // Its resources and pull settings are in its (immutable) template too.
    for (const change of [(x: any) => (x.registration.resources.limits.memory = '1Gi'), (x: any) => (x.images.pullPolicy = 'Always')]) {
      const changed = tenantValues('production', sampleTenants()) as any;
      change(changed);
      expect(synth(changed).objects.find((o) => o.kind === 'Job').metadata.name).not.toBe(job.metadata.name);
    }
  });

  test('no secret in the arguments or the spec: the token is signed from the gateway Secret through env', () => {
    expect(container.command).toEqual(gateway.withRedisUrl('exec /bin/sh /scripts/register-tenants.sh'));
    expect(container.args).toBeUndefined();
    expect(container.envFrom).toEqual(gateway.envFrom);
    for (const e of container.env) expect(e.valueFrom ?? { value: e.value }).not.toHaveProperty('value', expect.stringMatching(/token|password|secret/i));
    const sh = registerShell(30);
    expect(sh.split('\n')).toContain('set -eu');
    expect(sh).toContain('--username "$PLATFORM_ADMIN_EMAIL" --exp 30');
    expect(sh).not.toMatch(/JWT_SECRET_KEY"|\$JWT_SECRET_KEY|--secret/);
    expect(sh).not.toMatch(/>\s*\/dev\/null|\|\|\s*true/);
  });

  test('hardened like the platform Jobs', () => {
    const pod = job.spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.serviceAccountName).toBe('mcp-stack-workload');
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(container.resources.limits).toBeDefined();
    expect(job.spec.activeDeadlineSeconds).toBe(v.tenants.registration.retrySeconds + 1200);
  });

  test('scripts and catalog come from ConfigMaps; the catalog is one server per line', () => {
    const scripts = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'mcp-stack-tenant-registration');
    expect(Object.keys(scripts.data).sort()).toEqual(['register-tenants.sh', 'register_tenants.py']);
    const catalog = objects.find((o) => o.metadata.name === 'mcp-stack-tenant-catalog-0');
    const text = catalog.data['catalog-000.json'];
    expect(JSON.parse(text)).toEqual(tenantCatalog(v));
    expect(text.split('\n')).toHaveLength(tenantCatalog(v).length + 3);
    expect(job.spec.template.spec.volumes).toContainEqual({ name: 'catalog', projected: { sources: [{ configMap: { name: 'mcp-stack-tenant-catalog-0' } }] } });
  });

  test('large catalogs are split across ConfigMaps', () => {
    const many = Array.from({ length: CATALOG_SHARD_SIZE / 2 + 1 }, (_, i) => tenant(`t${i}`, [server('a'), server('b')]));
    const big = synth(tenantValues('kind', many)).objects;
    const shards = big.filter((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('mcp-stack-tenant-catalog-'));
    expect(shards.map((o) => o.metadata.name)).toEqual(['mcp-stack-tenant-catalog-0', 'mcp-stack-tenant-catalog-1']);
    expect(shards.map((o) => JSON.parse(Object.values(o.data)[0] as string).length)).toEqual([CATALOG_SHARD_SIZE, 2]);
    for (const s of shards) expect(JSON.stringify(s).length).toBeLessThan(1024 * 1024);
  });

  test('declares its traffic to the gateway', () => {
    expect(ctx.flows).toContainEqual({
      from: { component: 'tenant-registration' },
      to: { component: 'gateway' },
      ports: [{ port: 4444 }],
      reason: 'registers the tenant MCP servers through the REST API',
    });
  });
});

/** A stand-in for the gateway's REST API: keeps its registrations in a JSON file. */
const MOCK_GATEWAY = `
import json, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
STATE, UNREACHABLE = sys.argv[1], set(filter(None, sys.argv[2].split(",")))
LOCK = threading.Lock()
def load():
    with open(STATE) as f: return json.load(f)
def save(s):
    with open(STATE, "w") as f: json.dump(s, f)
class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args): pass
    def reply(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code); self.send_header("Content-Type", "application/json"); self.end_headers(); self.wfile.write(data)
    def authorized(self):
        if self.headers.get("Authorization") != "Bearer test-token":
            self.reply(401, {"detail": "unauthorized"}); return False
        return True
    def do_GET(self):
        if self.path == "/health": return self.reply(200, {"status": "healthy"})
        if self.authorized():
            with LOCK: s = load()
            self.reply(200, s)
    def do_POST(self):
        if not self.authorized(): return
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if body["url"] in UNREACHABLE: return self.reply(502, {"detail": "Failed to initialize gateway"})
        with LOCK:
            s = load(); body["id"] = "id-" + body["name"]; s.append(body); save(s)
        self.reply(201, body)
    def do_DELETE(self):
        if not self.authorized(): return
        with LOCK:
            save([g for g in load() if "/v1/gateways/" + g["id"] != self.path])
        self.reply(200, {})
server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
`;
import { tempDir } from '../support';

describe('the reconciler against a stand-in gateway', () => {
  const catalog = tenantCatalog(tenantValues('kind', sampleTenants()));
  let dir: string;
  let mock: ChildProcess | undefined;

  async function run(initial: unknown[], unreachable: string[] = []): Promise<{ status: number | null; out: string; state: any[] }> {
    dir = tempDir('register');
    writeFileSync(join(dir, 'state.json'), JSON.stringify(initial));
    writeFileSync(join(dir, 'mock.py'), MOCK_GATEWAY);
    writeFileSync(join(dir, 'register_tenants.py'), registerPython());
    mkdirSync(join(dir, 'catalog'));
    writeFileSync(join(dir, 'catalog', 'catalog-000.json'), JSON.stringify(catalog));
    mock = spawn('python3', [join(dir, 'mock.py'), join(dir, 'state.json'), unreachable.join(',')]);
    const port = await new Promise<string>((resolve) => mock!.stdout!.once('data', (d) => resolve(String(d).trim())));
    const r = spawnSync('python3', [join(dir, 'register_tenants.py')], {
      env: { PATH: process.env.PATH, GATEWAY_URL: `http://127.0.0.1:${port}`, MCPGATEWAY_BEARER_TOKEN: 'test-token', CATALOG_DIR: join(dir, 'catalog'), OWNER_TAG, RETRY_SECONDS: '0', PARALLELISM: '4' },
      encoding: 'utf8',
      timeout: 60000,
    });
    return { status: r.status, out: `${r.stdout}${r.stderr}`, state: JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) };
  }

  afterEach(() => mock?.kill());

  const entry = (name: string): CatalogEntry => catalog.find((e) => e.name === name)!;

  test('registers what is missing, replaces what changed, removes only its own stale registrations', async () => {
    const initial = [
      { id: 'ft', name: 'fast_time', url: 'http://fast-time/mcp', transport: 'STREAMABLEHTTP', tags: [] },
      { id: 'old', name: 'mcp-gone-acme', url: 'http://gone/mcp', transport: 'STREAMABLEHTTP', tags: [{ id: OWNER_TAG, label: OWNER_TAG }] },
      { id: 'same', name: 'mcp-fetch-acme', url: entry('mcp-fetch-acme').url, transport: 'STREAMABLEHTTP', tags: [OWNER_TAG] },
      { id: 'moved', name: 'mcp-time-globex', url: 'http://old-address/sse', transport: 'SSE', tags: [OWNER_TAG] },
    ];
    const { status, out, state } = await run(initial);
    expect({ status, out }).toEqual({ status: 0, out: expect.stringContaining('every tenant server is registered') });
    expect(out).toContain('removed mcp-gone-acme: its tenant or server is gone');
    expect(out).toContain('replacing mcp-time-globex: its URL or transport changed');
    expect(out).toContain('4 tenant servers: 1 already registered, 3 to register');
    expect(state.map((g: any) => g.name).sort()).toEqual(['fast_time', 'mcp-fetch-acme', 'mcp-github-globex', 'mcp-kube-initech', 'mcp-time-globex']);
    expect(state.find((g: any) => g.name === 'mcp-fetch-acme').id).toBe('same');
    const time = state.find((g: any) => g.name === 'mcp-time-globex');
    expect(time).toMatchObject({ url: entry('mcp-time-globex').url, transport: 'SSE', tags: [OWNER_TAG, 'tenant-globex'] });
  });

  test('fails loudly, naming every server it could not register', async () => {
    const { status, out, state } = await run([], [entry('mcp-github-globex').url]);
    expect(status).toBe(1);
    expect(out).toMatch(/FAILED register mcp-github-globex at http:\/\/mcp-github-proxy\.mcp-github-globex\.svc\.cluster\.local:8080\/mcp: POST \/v1\/gateways failed with HTTP 502/);
    expect(out).toContain('register-tenants: 1 operations failed');
    // The others are registered all the same.
    expect(state.map((g: any) => g.name).sort()).toEqual(['mcp-fetch-acme', 'mcp-kube-initech', 'mcp-time-globex']);
  });
});
