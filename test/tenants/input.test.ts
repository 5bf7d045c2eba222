import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTenantsFile, tenantProblems } from '../../lib/constructs/tenants';
import { InputError } from '../../profiles/loader';
import { tenantsSchema } from '../../profiles/tenants-checks';
import { tenantsDefaults, tenantsKeysAt } from '../../profiles/tenants-schema';
import { DIGEST, inputError, NO_DOMAIN, sampleTenants, server, tenant, tenantValues } from './fixtures';
import { tempDir } from '../support';

function file(content: string): string {
  const path = join(tempDir('tenants'), 'tenants.yaml');
  writeFileSync(path, content);
  return path;
}

/** The error message for these tenants on the kind profile (or another block/profile). */
function problems(items: unknown[], block: Record<string, unknown> = {}): string {
  return inputError(() => tenantValues('kind', items, block));
}

describe('the tenants file', () => {
  test('a mapping with one key, tenants, gives the list of tenants', () => {
    expect(loadTenantsFile(file('tenants:\n  - name: acme\n    servers: []\n'))).toEqual([{ name: 'acme', servers: [] }]);
  });

  test('the example file loads and validates', () => {
    const items = loadTenantsFile(join(__dirname, '../../examples/tenants.yaml')) as unknown[];
    const v = tenantValues('kind', items, { exposure: { ...tenantsDefaults.exposure, domain: 'localtest.me' } });
    expect(v.tenants.items.map((t) => t.name)).toEqual(['acme', 'globex', 'initech']);
    expect(tenantProblems(v)).toEqual([]);
  });

  test.each([
    ['an unreadable file', undefined, /--tenants: cannot read file: no such file \(received ".*missing\.yaml"\)/],
    ['invalid YAML', 'tenants: [\n', /--tenants: not valid YAML at line 2, column 1: .* \(received ".*tenants\.yaml"\)/],
    ['a list at the top', '- name: acme\n', /--tenants: must hold a YAML mapping with one key, tenants, listing the tenants \(received/],
    ['an unknown top-level key', 'tenants: []\nusers: []\n', /--tenants: must hold a YAML mapping with one key, tenants, listing the tenants; unknown key: users/],
    ['tenants that is not a list', 'tenants:\n  acme: {}\n', /--tenants: .*; tenants must be a list/],
  ])('%s is an InputError on --tenants', (_what, content, message) => {
    const path = content === undefined ? join(tmpdir(), 'missing.yaml') : file(content);
    expect(() => loadTenantsFile(path)).toThrow(InputError);
    expect(inputError(() => loadTenantsFile(path))).toMatch(message);
  });
});

describe('field errors carry the path inside the tenants list, the value received and what is allowed', () => {
  test('a bad tag on the fourth tenant', () => {
    const items = [...sampleTenants(), tenant('hooli', [server('search', { image: { repository: 'ghcr.io/hooli/search', tag: 'latest' } })])];
    expect(problems(items)).toContain(`tenants.items.3.servers.0.image.tag: must not be 'latest': pin a version (received "latest")`);
  });

  test('every field rule', () => {
    const msg = problems([
      tenant('Bad_Name', [server('ok')]),
      tenant('t1', [
        server('a', { transport: 'websocket' }),
        server('b', { image: { repository: 'mcp/fetch', tag: '1' } }),
        server('c', { proxyPort: 70000, env: [{ name: '1X', value: 'v' }] }),
        server('d', { resources: { requests: { cpu: 'lots', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } } }),
        server('e', { exposure: 'public', kubernetesApi: 'admin', secrets: [{ name: 'Bad', key: 'k', targetEnvName: 'K' }] }),
        server('f', { image: { repository: 'ghcr.io/a/b', tag: '1', digest: 'sha256:123' } }),
      ]),
      tenant('t2', []),
      tenant('t3', [server('a')], { user: 'system:serviceaccount:kube-system:default' }),
    ]);
    expect(msg).toContain(`tenants.items.0.name: must be a DNS-1123 label (lower-case letters, digits and '-') (received "Bad_Name")`);
    expect(msg).toMatch(/tenants\.items\.1\.servers\.0\.transport: Invalid option: expected one of "sse"\|"streamable-http"\|"stdio" \(received "websocket"\)/);
    expect(msg).toContain('tenants.items.1.servers.1.image.repository: must start with its registry, e.g. docker.io/mcp/fetch');
    expect(msg).toMatch(/tenants\.items\.1\.servers\.2\.proxyPort: Too big: expected number to be <=65535 \(received 70000\)/);
    expect(msg).toContain('tenants.items.1.servers.2.env.0.name: must be an environment variable name such as LOG_LEVEL (received "1X")');
    expect(msg).toContain('tenants.items.1.servers.3.resources.requests.cpu: must be a Kubernetes quantity such as 500m, 2, 768Mi or 1Gi (received "lots")');
    expect(msg).toMatch(/tenants\.items\.1\.servers\.4\.exposure: Invalid option: expected one of "internal"\|"route"\|"ingress" \(received "public"\)/);
    expect(msg).toMatch(/tenants\.items\.1\.servers\.4\.kubernetesApi: Invalid option: expected one of "none"\|"view"\|"edit" \(received "admin"\)/);
    expect(msg).toContain('tenants.items.1.servers.4.secrets.0.name: must be a DNS-1123 subdomain such as my-secret (received "Bad")');
    expect(msg).toContain('tenants.items.1.servers.5.image.digest: must be sha256:<64 lower-case hex digits> (received "sha256:123")');
    expect(msg).toContain('tenants.items.2.servers: must list at least one server (received [])');
    expect(msg).toContain(`tenants.items.3.user: must not start with 'system:' (that binds service accounts or system groups)`);
  });

  test('an unknown key in an entry is refused, and the schema knows what is allowed there', () => {
    const msg = problems([tenant('acme', [server('fetch', { imagee: 'x' })])]);
    expect(msg).toContain('tenants.items.0.servers.0.imagee: unknown key');
    expect(msg).toContain('(received "x")');
    expect(tenantsKeysAt(['items', 0, 'servers', 0])).toEqual(expect.arrayContaining(['name', 'image', 'transport', 'exposure', 'kubernetesApi']));
    expect(tenantsKeysAt(['items', 0])).toEqual(['name', 'displayName', 'user', 'quota', 'limitRange', 'servers']);
    expect(tenantsKeysAt(['items', 0, 'quota', 'requests'])).toEqual(['cpu', 'memory', 'storage']);
    expect(tenantsKeysAt(['items', 0, 'name'])).toBeUndefined();
  });

  test('block settings', () => {
    const msg = problems([], {
      mcpServerApiVersion: 'v2',
      registryAllowList: ['https://ghcr.io'],
      rbac: { subjectKind: 'ServiceAccount', subjectPrefix: 'system:' },
      monitoring: { namespaceLabels: {}, interval: '30s' },
      network: { apiServer: { cidrs: [], ports: [6443] } },
    });
    expect(msg).toMatch(/tenants\.mcpServerApiVersion: Invalid option: expected one of "v1beta1"\|"v1alpha1" \(received "v2"\)/);
    expect(msg).toContain('tenants.registryAllowList.0: must be a registry such as ghcr.io or quay.io/acme (received "https://ghcr.io")');
    expect(msg).toMatch(/tenants\.rbac\.subjectKind: Invalid option: expected one of "User"\|"Group"/);
    expect(msg).toContain(`tenants.rbac.subjectPrefix: must not start with 'system:'`);
    expect(msg).toMatch(/tenants\.network\.apiServer\.cidrs: Too small: expected array to have >=1 items/);
  });

  test('an empty monitoring selector is refused by the schema (values files merge maps, so only a whole block can empty it)', () => {
    const r = tenantsSchema.safeParse({ ...tenantsDefaults, monitoring: { namespaceLabels: {}, interval: '30s' } });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain('must hold at least one label: an empty selector admits every namespace');
  });

  test('more block settings and server fields', () => {
    const msg = problems([tenant('acme', [server('fetch', { egress: [{ cidr: '10.0.0.0', ports: [443] }], secrets: [{ name: 'a', key: 'a/b', targetEnvName: 'A' }] })])], {
      namespacePrefix: 'x'.repeat(41),
      gitops: { repoURL: 'ftp://git.example.com/x.git', targetRevision: '', pathPrefix: '../up', argocdNamespace: '', destinationServer: 'http://kubernetes' },
      exposure: { ...tenantsDefaults.exposure, domain: 'Not A Domain' },
      monitoring: { namespaceLabels: { 'kubernetes.io/metadata.name': 'monitoring' }, interval: '30 seconds' },
    });
    expect(msg).toContain('tenants.namespacePrefix: ');
    expect(msg).toContain('must be at most 40 characters');
    expect(msg).toContain('tenants.gitops.repoURL: ');
    expect(msg).toContain('must be an https://, ssh:// or git@ repository URL');
    expect(msg).toContain('tenants.gitops.destinationServer: must be an https:// API server URL (received "http://kubernetes")');
    expect(msg).toContain('tenants.exposure.domain: ');
    expect(msg).toContain('must be a DNS name such as apps.example.com');
    expect(msg).toContain('tenants.monitoring.interval: must be a duration such as 30s (received "30 seconds")');
    expect(msg).toContain('tenants.items.0.servers.0.egress.0.cidr: must be a CIDR such as 10.0.0.0/16 (received "10.0.0.0")');
    expect(msg).toContain('tenants.items.0.servers.0.secrets.0.key: must be a Secret key (received "a/b")');
  });
});

describe('rules across fields and entries', () => {
  test('duplicates: tenants, servers of a tenant, and namespaces two tenants would share', () => {
    const msg = problems([
      tenant('acme', [server('fetch'), server('fetch')]),
      tenant('acme', [server('time')]),
      // mcp-a-b-x twice: tenant "x" with server "a-b", tenant "b-x" with server "a".
      tenant('x', [server('a-b')]),
      tenant('b-x', [server('a')]),
    ]);
    expect(msg).toContain('tenants.items.0.servers.1.name: duplicate server name in tenant "acme" (also servers.0.name) (received "fetch")');
    expect(msg).toContain('tenants.items.1.name: duplicate tenant name (also items.0.name) (received "acme")');
    expect(msg).toContain(
      'tenants.items.3.servers.0.name: derived namespace "mcp-a-b-x" is also the namespace of items.2.servers.0 (tenant "x", server "a-b"): rename one of them (received "a")',
    );
  });

  test('namespaces the cluster reserves', () => {
    const msg = problems([tenant('system', [server('kube')])], { namespacePrefix: '' });
    expect(msg).toContain('tenants.items.0.servers.0.name: derived namespace "kube-system" is reserved for the cluster itself');
  });

  test('images come from an allowed registry', () => {
    const bad = server('fetch', { image: { repository: 'registry.evil.example/mcp/fetch', tag: '1' } });
    expect(problems([tenant('acme', [bad])])).toContain(
      'tenants.items.0.servers.0.image.repository: is not from an allowed registry; tenants.registryAllowList allows: docker.io, ghcr.io, quay.io (received "registry.evil.example/mcp/fetch")',
    );
    expect(problems([tenant('acme', [server('fetch')])], { registryAllowList: [] })).toContain(
      'tenants.items.0.servers.0.image.repository: is not from an allowed registry; tenants.registryAllowList allows: (none: the list is empty)',
    );
    // A path entry allows that path only.
    const scoped = { registryAllowList: ['ghcr.io/acme'] };
    expect(() => tenantValues('kind', [tenant('acme', [server('fetch')])], scoped)).not.toThrow();
    expect(problems([tenant('acme', [server('fetch', { image: { repository: 'ghcr.io/acmecorp/x', tag: '1' } })])], scoped)).toContain('is not from an allowed registry');
  });

  test('ports and proxy mode follow the transport', () => {
    const msg = problems([tenant('acme', [server('fetch', { transport: 'stdio', mcpPort: 8000 }), server('time', { transport: 'sse', proxyMode: 'sse' })])]);
    expect(msg).toContain("tenants.items.0.servers.0.mcpPort: must not be set for transport 'stdio': the proxy attaches to the container's stdin, no port is involved (received 8000)");
    expect(msg).toContain("tenants.items.0.servers.1.proxyMode: only applies to transport 'stdio' (this server's transport is 'sse') (received \"sse\")");
  });

  test('environment: no duplicates, no credentials as plain values, one entry per Secret on v1beta1', () => {
    const s = server('gitea', {
      env: [
        { name: 'GITEA_HOST', value: 'https://gitea' },
        { name: 'GITEA_HOST', value: 'https://other' },
        { name: 'GITEA_ACCESS_TOKEN', value: 'abc123' },
        { name: 'DB_PASSWORD', value: '' },
      ],
      secrets: [
        { name: 'gitea', key: 'token', targetEnvName: 'GITEA_HOST' },
        { name: 'gitea', key: 'url', targetEnvName: 'GITEA_URL' },
      ],
    });
    const msg = problems([tenant('acme', [s])]);
    expect(msg).toContain('tenants.items.0.servers.0.env.1.name: duplicate environment variable (also env.0) (received "GITEA_HOST")');
    expect(msg).toContain(`tenants.items.0.servers.0.env.2.value: GITEA_ACCESS_TOKEN looks like a credential: reference a Secret in 'secrets' instead of a plain value (received a value, not shown: it may be a credential)`);
    expect(msg).not.toContain('abc123');
    expect(msg).not.toContain('DB_PASSWORD');
    expect(msg).toContain('tenants.items.0.servers.0.secrets.0.targetEnvName: duplicate environment variable (also env.0) (received "GITEA_HOST")');
    expect(msg).toContain(
      'tenants.items.0.servers.0.secrets.1.name: Secret "gitea" is already used by secrets.0; MCPServer v1beta1 allows one entry per Secret: put each key in its own Secret (received "gitea")',
    );
    // v1alpha1 lists secrets without a map key, so two keys of one Secret are fine there.
    expect(problems([tenant('acme', [s])], { mcpServerApiVersion: 'v1alpha1' })).not.toContain('allows one entry per Secret');
  });

  test('resources: requests within limits, limits within the LimitRange max', () => {
    const msg = problems([
      tenant('acme', [server('big', { resources: { requests: { cpu: '2', memory: '128Mi' }, limits: { cpu: '1500m', memory: '2Gi' } } })]),
    ]);
    expect(msg).toContain('tenants.items.0.servers.0.resources.requests.cpu: must be at most limits.cpu (1500m) (received "2")');
    expect(msg).toContain("tenants.items.0.servers.0.resources.limits.cpu: exceeds the tenant's LimitRange max (1); the pod would be rejected at admission (received \"1500m\")");
    expect(msg).toContain("tenants.items.0.servers.0.resources.limits.memory: exceeds the tenant's LimitRange max (1Gi); the pod would be rejected at admission (received \"2Gi\")");
  });

  test('the default server resources: requests within limits, limits within defaultLimitRange.max', () => {
    const msg = problems([], { defaultServerResources: { requests: { cpu: '2', memory: '128Mi' }, limits: { cpu: '1500m', memory: '512Mi' } } });
    expect(msg).toContain('tenants.defaultServerResources.requests.cpu: must be at most limits.cpu (1500m) (received "2")');
    expect(msg).toContain('tenants.defaultServerResources.limits.cpu: exceeds defaultLimitRange.max.cpu (1); the pods would be rejected at admission (received "1500m")');
  });

  test('LimitRange: defaultRequest <= default <= max, for the defaults and for a tenant', () => {
    const lr = { default: { cpu: '2', memory: '512Mi' }, defaultRequest: { cpu: '50m', memory: '1Gi' }, max: { cpu: '1', memory: '1Gi' } };
    const msg = problems([tenant('acme', [server('fetch')], { limitRange: { max: { cpu: '200m' } } })], { defaultLimitRange: lr });
    expect(msg).toContain('tenants.defaultLimitRange.default.cpu: must be at most max.cpu (1) (received "2")');
    expect(msg).toContain('tenants.defaultLimitRange.defaultRequest.memory: must be at most default.memory (512Mi) (received "1Gi")');
    expect(msg).toContain('tenants.items.0.limitRange.default.cpu: must be at most max.cpu (200m)');
    expect(msg).toContain(
      'tenants.items.0.limitRange.max.cpu: is below defaultServerResources.limits.cpu (500m), which servers without resources use: their pods would be rejected at admission (received "200m")',
    );
  });

  test('the ResourceQuota holds the MCP pod and the proxy runner twice over (rolling update)', () => {
    const msg = problems([tenant('acme', [server('fetch'), server('big', { resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } } })], { quota: { limits: { cpu: '2' }, pods: 3 } })]);
    expect(msg).toContain(
      `tenants.items.0.quota.limits.cpu: the ResourceQuota (limits.cpu 2) cannot hold server "big": it needs 3 (its container 1 plus the proxy runner's LimitRange default 500m, twice for a rolling update); raise the quota or lower the server's resources (received "2")`,
    );
    expect(msg).toContain('tenants.items.0.quota.pods: the ResourceQuota (pods 3) cannot hold a server: it needs 4 (MCP pod and proxy runner, twice for a rolling update) (received 3)');
    // The defaults fit.
    expect(() => tenantValues('kind', [tenant('acme', [server('fetch')])])).not.toThrow();
  });

  test('exposure needs a host: a domain for Ingresses, a short enough generated Route host', () => {
    const msg = problems([tenant('acme', [server('github', { exposure: 'ingress' })])], NO_DOMAIN);
    expect(msg).toContain("tenants.items.0.servers.0.exposure: 'ingress' needs tenants.exposure.domain (the host is {namespace}.{domain}) (received \"ingress\")");
    const long = 'a'.repeat(20);
    const route = problems([tenant(long, [server(long, { exposure: 'route' })])], NO_DOMAIN);
    const label = `mcp-${long}-mcp-${long}-${long}`;
    expect(route).toContain(`the Route host OpenShift would generate starts with "${label}" (${label.length} characters; at most 63 allowed)`);
    const domain = `${'d'.repeat(63)}.${'d'.repeat(63)}.${'d'.repeat(60)}.example`;
    const host = problems([tenant('a'.repeat(48), [server('github', { exposure: 'ingress' })])], { exposure: { ...tenantsDefaults.exposure, domain } });
    expect(host).toMatch(/tenants\.items\.0\.servers\.0\.exposure: derived host "mcp-github-a{48}\.d{63}\.d{63}\.d{60}\.example" has 256 characters; at most 253 allowed: shorten tenants\.exposure\.domain/);
  });

  test('rules that need the whole values: digests on production, Routes on OpenShift, the stack namespace', () => {
    const noDigest = server('fetch', { image: { repository: 'ghcr.io/a/fetch', tag: '1' }, exposure: 'route' });
    const v = { profile: 'production', platform: 'kubernetes', images: { requireDigests: true }, release: { namespace: 'mcp-stack-team' }, tenants: { namespacePrefix: 'mcp', items: [tenant('team', [noDigest, server('stack')])] } };
    expect(tenantProblems(v)).toEqual([
      { path: 'tenants.items.0.servers.0.image.digest', message: 'is required: this profile pins every image by digest (images.requireDigests)', received: undefined },
      { path: 'tenants.items.0.servers.0.exposure', message: "'route' needs platform 'openshift'; use 'ingress' or 'internal'", received: 'route' },
      {
        path: 'tenants.items.0.servers.1.name',
        message: 'derived namespace "mcp-stack-team" is the stack\'s own namespace (release or ArgoCD): rename the tenant or server',
        received: 'stack',
      },
    ]);
    // Malformed values do not throw: the schema reports those.
    expect(tenantProblems({ tenants: { items: [null, { servers: 'x' }] } })).toEqual([]);
    expect(tenantProblems(undefined)).toEqual([]);
    // With a digest and no route, production is fine.
    expect(tenantProblems({ ...v, tenants: { namespacePrefix: 'mcp', items: [tenant('team', [server('fetch', { image: { repository: 'ghcr.io/a/fetch', tag: '1', digest: DIGEST } })])] } })).toEqual([]);
  });

  test('one message lists every problem of every tenant', () => {
    const msg = problems([
      tenant('acme', [server('fetch', { transport: 'stdio', mcpPort: 1 })]),
      tenant('globex', [server('github', { image: { repository: 'ghcr.io/g/h', tag: 'latest' } })]),
      tenant('acme', [server('x'.repeat(60))]),
    ]);
    expect(msg).toMatch(/^invalid input: \d+ problems/);
    for (const path of ['tenants.items.0.servers.0.mcpPort', 'tenants.items.1.servers.0.image.tag', 'tenants.items.2.name', 'tenants.items.2.servers.0.name']) {
      expect(msg).toContain(`${path}:`);
    }
  });

  test('the schema parses a valid block unchanged', () => {
    const block = { ...tenantsDefaults, exposure: { ...tenantsDefaults.exposure, domain: 'apps.example.com' }, items: sampleTenants() };
    expect(tenantsSchema.parse(block)).toEqual(block);
  });
});

describe('servers per tenant', () => {
  test('a tenant with more servers than maxServersPerTenant is refused, naming the tenant, the count and the limit', () => {
    const servers = ['a', 'b', 'c'].map((n) => server(n));
    expect(problems([tenant('acme', servers)], { maxServersPerTenant: 2 })).toContain('tenants.items.0.servers: tenant "acme" has 3 servers; at most maxServersPerTenant (2) allowed');
    expect(() => tenantValues('kind', [tenant('acme', servers)], { maxServersPerTenant: 3 })).not.toThrow();
  });

  test('the default is the hosting runbook\'s 10', () => {
    expect(tenantsDefaults.maxServersPerTenant).toBe(10);
  });
});
