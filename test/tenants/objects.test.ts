import { loadAll } from 'js-yaml';
import { StackContext } from '../../lib/constructs/core/context';
import { tenantFiles, tenantGitops, tenantsBootstrapApplication } from '../../lib/constructs/tenants';
import type { Values } from '../../profiles/schema';
import { tenantsDefaults } from '../../profiles/tenants-schema';
import { DIGEST, NO_DOMAIN, sampleTenants, server, tenant, tenantValues } from './fixtures';

const DOMAIN = { exposure: { ...tenantsDefaults.exposure, domain: 'apps.example.com' } };

/** Every object of every tenant file, with the file it is in. */
function render(v: Values): { file: string; o: any }[] {
  return [...tenantFiles(v).entries()].flatMap(([file, text]) => (loadAll(text) as any[]).map((o) => ({ file, o })));
}

function one(objects: { file: string; o: any }[], kind: string, name: string, namespace?: string): any {
  const hits = objects.filter(({ o }) => o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace));
  if (hits.length !== 1) throw new Error(`expected one ${kind}/${name} in ${namespace ?? 'any namespace'}, found ${hits.length}`);
  return hits[0].o;
}

describe('per tenant objects (production, Kubernetes)', () => {
  const v = tenantValues('production', sampleTenants(), DOMAIN);
  const objects = render(v);
  const all = objects.map(({ o }) => o);

  test('every object carries the recommended labels, its tenant, and an explicit namespace unless cluster-scoped', () => {
    for (const o of all) {
      expect(o.metadata.labels).toMatchObject({
        'app.kubernetes.io/name': 'tenant',
        'app.kubernetes.io/instance': 'mcp-stack',
        'app.kubernetes.io/component': 'tenant',
        'app.kubernetes.io/part-of': 'mcp-stack',
        'app.kubernetes.io/managed-by': 'mcp-stack-cdk8s',
      });
      expect(o.metadata.labels['app.kubernetes.io/version']).toMatch(/\w/);
      expect(o.metadata.labels['mcp-stack.io/tenant']).toMatch(/^(acme|globex|initech)$/);
      if (o.kind !== 'Namespace') expect(o.metadata.namespace).toMatch(/\w/);
    }
  });

  test('Namespace: tenant and server labels, restricted Pod Security', () => {
    const ns = one(objects, 'Namespace', 'mcp-github-globex');
    expect(ns.metadata.labels).toMatchObject({
      'mcp-stack.io/tenant': 'globex',
      'mcp-stack.io/mcp-server': 'github',
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/warn': 'restricted',
    });
    expect(all.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name).sort()).toEqual([
      'mcp-fetch-acme',
      'mcp-github-globex',
      'mcp-kube-initech',
      'mcp-time-globex',
    ]);
  });

  test('ResourceQuota: CPU, memory, storage, pods, PVCs; no LoadBalancers or NodePorts', () => {
    expect(one(objects, 'ResourceQuota', 'tenant-quota', 'mcp-fetch-acme').spec.hard).toEqual({
      'requests.cpu': '1',
      'requests.memory': '1Gi',
      'limits.cpu': '2',
      'limits.memory': '2Gi',
      'requests.storage': '1Gi',
      pods: '10',
      persistentvolumeclaims: '2',
      'services.loadbalancers': '0',
      'services.nodeports': '0',
    });
  });

  test('a tenant quota override changes only its keys', () => {
    const custom = tenantValues('kind', [tenant('acme', [server('fetch')], { quota: { limits: { memory: '4Gi' }, pods: 20 } })]);
    const hard = one(render(custom), 'ResourceQuota', 'tenant-quota').spec.hard;
    expect(hard).toMatchObject({ 'limits.cpu': '2', 'limits.memory': '4Gi', pods: '20', 'requests.cpu': '1' });
  });

  test('LimitRange: default, defaultRequest and max for containers', () => {
    expect(one(objects, 'LimitRange', 'tenant-limits', 'mcp-fetch-acme').spec.limits).toEqual([
      { type: 'Container', default: { cpu: '500m', memory: '512Mi' }, defaultRequest: { cpu: '50m', memory: '128Mi' }, max: { cpu: '1', memory: '1Gi' } },
    ]);
  });

  test('the tenant user gets a namespaced Role over its workloads; API access only for servers that need it, in their namespace', () => {
    const binding = one(objects, 'RoleBinding', 'tenant-workloads', 'mcp-kube-initech');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'tenant-workloads' });
    expect(binding.subjects).toEqual([{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'bob@initech.example' }]);
    expect(one(objects, 'RoleBinding', 'tenant-workloads', 'mcp-fetch-acme').subjects[0].name).toBe('acme');
    const api = one(objects, 'RoleBinding', 'kube-sa-view', 'mcp-kube-initech');
    expect(api.roleRef.name).toBe('view');
    expect(api.subjects).toEqual([{ kind: 'ServiceAccount', name: 'kube-sa', namespace: 'mcp-kube-initech' }]);
    expect(all.filter((o) => o.kind === 'RoleBinding' && o.metadata.name !== 'tenant-workloads')).toHaveLength(1);
    expect(all.some((o) => o.kind === 'ClusterRoleBinding' || o.kind === 'ClusterRole')).toBe(false);
    expect(all.some((o) => o.kind === 'RoleBinding' && o.roleRef.name === 'edit')).toBe(false);
  });

  test('kubernetesApi edit binds the server to the tenant Role under a new name, never to the built-in edit role', () => {
    const out = render(tenantValues('kind', [tenant('acme', [server('kube', { kubernetesApi: 'edit' })])])).map(({ o }) => o);
    const api = out.filter((o) => o.kind === 'RoleBinding' && o.subjects[0].kind === 'ServiceAccount');
    expect(api.map((o) => [o.metadata.name, o.metadata.namespace, o.roleRef])).toEqual([
      ['kube-sa-workloads', 'mcp-kube-acme', { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'tenant-workloads' }],
    ]);
    expect(api[0].subjects).toEqual([{ kind: 'ServiceAccount', name: 'kube-sa', namespace: 'mcp-kube-acme' }]);
    // The Role it names is in the same namespace (a RoleBinding to a missing Role grants nothing).
    expect(out.filter((o) => o.kind === 'Role' && o.metadata.namespace === 'mcp-kube-acme').map((o) => o.metadata.name)).toEqual(['tenant-workloads']);
    // The earlier name held roleRef ClusterRole edit, which cannot change in place.
    expect(out.some((o) => o.kind === 'RoleBinding' && o.metadata.name === 'kube-sa-edit')).toBe(false);
  });

  test('the tenant Role writes workloads and reads, never writes, NetworkPolicies, quotas, limits or RBAC', () => {
    const role = one(objects, 'Role', 'tenant-workloads', 'mcp-fetch-acme');
    const verbsOn = (group: string, resource: string) => role.rules.filter((r: any) => r.apiGroups.includes(group) && r.resources.includes(resource)).flatMap((r: any) => r.verbs);
    expect(verbsOn('apps', 'deployments')).toEqual(expect.arrayContaining(['create', 'update', 'patch', 'delete']));
    expect(verbsOn('', 'secrets')).toEqual(expect.arrayContaining(['create', 'delete']));
    expect(verbsOn('networking.k8s.io', 'networkpolicies')).toEqual(['get', 'list', 'watch']);
    expect(verbsOn('', 'resourcequotas')).toEqual(['get', 'list', 'watch']);
    expect(verbsOn('', 'limitranges')).toEqual(['get', 'list', 'watch']);
    expect(role.rules.some((r: any) => r.apiGroups.includes('rbac.authorization.k8s.io'))).toBe(false);
    expect(role.rules.every((r: any) => !r.resources.includes('*') && !r.verbs.includes('*'))).toBe(true);
  });

  test('tenants cannot add MCPServers: their Role only reads them, and no count quota could refuse the platform\'s own', () => {
    const role = one(objects, 'Role', 'tenant-workloads', 'mcp-fetch-acme');
    const verbs = role.rules.filter((r: any) => r.apiGroups.includes('toolhive.stacklok.dev')).flatMap((r: any) => r.verbs);
    expect(verbs.length).toBeGreaterThan(0);
    expect(verbs.every((v: string) => ['get', 'list', 'watch'].includes(v))).toBe(true);
    expect(Object.keys(one(objects, 'ResourceQuota', 'tenant-quota', 'mcp-fetch-acme').spec.hard).filter((k) => k.startsWith('count/'))).toEqual([]);
  });

  test('Group subjects with a prefix', () => {
    const grouped = tenantValues('kind', [tenant('acme', [server('fetch')])], { rbac: { subjectKind: 'Group', subjectPrefix: 'mcp-' } });
    const out = render(grouped);
    expect(one(out, 'RoleBinding', 'tenant-workloads').subjects).toEqual([{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'mcp-acme' }]);
    expect(one(out, 'AppProject', 'tenant-acme').spec.roles[0].groups).toEqual(['mcp-acme']);
  });

  test('MCPServer (v1beta1): image pinned, transport and ports, secrets by reference, its own ServiceAccount, resources', () => {
    const github = one(objects, 'MCPServer', 'github', 'mcp-github-globex');
    expect(github.apiVersion).toBe('toolhive.stacklok.dev/v1beta1');
    expect(github.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('1');
    expect(github.spec).toMatchObject({
      image: `ghcr.io/acme/mcp-server:1.2.3@${DIGEST}`,
      transport: 'streamable-http',
      mcpPort: 8000,
      proxyPort: 8080,
      serviceAccount: 'github-sa',
      secrets: [{ name: 'github-token', key: 'token', targetEnvName: 'GITHUB_PERSONAL_ACCESS_TOKEN' }],
      resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
      telemetryConfigRef: { name: 'github-metrics', serviceName: 'mcp-github-globex' },
    });
    const fetch = one(objects, 'MCPServer', 'fetch', 'mcp-fetch-acme').spec;
    expect(fetch.transport).toBe('stdio');
    expect(fetch.proxyMode).toBe('streamable-http');
    expect(fetch.mcpPort).toBeUndefined();
    const sa = one(objects, 'ServiceAccount', 'github-sa', 'mcp-github-globex');
    expect(sa.automountServiceAccountToken).toBe(false);
    expect(sa.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('0');
    expect(one(objects, 'ServiceAccount', 'kube-sa', 'mcp-kube-initech').automountServiceAccountToken).toBe(true);
  });

  test('the mcp container passes the restricted Pod Security Standard and has requests and limits', () => {
    for (const s of all.filter((o) => o.kind === 'MCPServer')) {
      const pod = s.spec.podTemplateSpec.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.securityContext.runAsUser).toBe(65532);
      const [mcp] = pod.containers;
      expect(mcp.name).toBe('mcp');
      expect(mcp.image).toBe(s.spec.image);
      expect(mcp.securityContext).toMatchObject({ allowPrivilegeEscalation: false, privileged: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
      expect(mcp.securityContext.capabilities.add).toBeUndefined();
      expect(mcp.resources).toEqual(s.spec.resources);
      expect(pod.hostNetwork ?? pod.hostPID ?? pod.hostIPC).toBeUndefined();
      expect(pod.automountServiceAccountToken).toBe(s.metadata.name === 'kube');
      if (mcp.securityContext.readOnlyRootFilesystem) expect(mcp.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    }
  });

  test('exposure: an Ingress at {namespace}.{domain} with TLS to the proxy Service; a ServiceMonitor on the proxy', () => {
    const ing = one(objects, 'Ingress', 'mcp-github', 'mcp-github-globex');
    expect(ing.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('2');
    expect(ing.spec).toEqual({
      ingressClassName: 'nginx',
      tls: [{ hosts: ['mcp-github-globex.apps.example.com'], secretName: 'mcp-github-tls' }],
      rules: [
        {
          host: 'mcp-github-globex.apps.example.com',
          http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'mcp-github-proxy', port: { number: 8080 } } } }] },
        },
      ],
    });
    const sm = one(objects, 'ServiceMonitor', 'mcp-github', 'mcp-github-globex');
    expect(sm.spec).toEqual({
      endpoints: [{ interval: '30s', path: '/metrics', port: 'http' }],
      namespaceSelector: { matchNames: ['mcp-github-globex'] },
      selector: { matchLabels: { 'app.kubernetes.io/name': 'mcpserver', 'app.kubernetes.io/instance': 'github' } },
    });
    expect(one(objects, 'MCPTelemetryConfig', 'github-metrics', 'mcp-github-globex').spec).toEqual({ prometheus: { enabled: true } });
    expect(all.filter((o) => ['Ingress', 'Route', 'ServiceMonitor'].includes(o.kind)).map((o) => o.metadata.namespace)).toEqual(['mcp-github-globex', 'mcp-github-globex']);
  });

  test('AppProject: exact destinations and repo, no cluster-scoped kinds, guardrail kinds blacklisted', () => {
    const p = one(objects, 'AppProject', 'tenant-globex', 'argocd');
    expect(p.spec.destinations).toEqual([
      { namespace: 'mcp-github-globex', server: 'https://kubernetes.default.svc' },
      { namespace: 'mcp-time-globex', server: 'https://kubernetes.default.svc' },
    ]);
    expect(p.spec.sourceRepos).toEqual(['https://github.com/example/mcp-stack-deploy.git']);
    expect(p.spec.clusterResourceWhitelist).toEqual([]);
    expect(p.spec.namespaceResourceBlacklist.map((k: any) => k.kind)).toEqual(['ResourceQuota', 'LimitRange', 'NetworkPolicy', 'Role', 'RoleBinding']);
    expect(p.spec.namespaceResourceWhitelist.map((k: any) => k.kind)).not.toContain('NetworkPolicy');
    expect(p.spec.roles[0].policies.every((x: string) => x.includes('tenant-globex/*'))).toBe(true);
    expect(p.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('1');
  });

  test('Applications: one per server, finalizer, automated prune and self-heal, CreateNamespace=false, its own file', () => {
    const app = one(objects, 'Application', 'mcp-github-globex', 'argocd');
    expect(app.metadata.finalizers).toEqual(['resources-finalizer.argocd.argoproj.io']);
    expect(app.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('2');
    expect(app.spec).toEqual({
      project: 'tenant-globex',
      source: {
        repoURL: 'https://github.com/example/mcp-stack-deploy.git',
        targetRevision: 'main',
        path: 'dist/production/tenants/globex/10-workloads',
        directory: { include: 'github.yaml' },
      },
      destination: { server: 'https://kubernetes.default.svc', namespace: 'mcp-github-globex' },
      syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=false'] },
    });
    expect(all.filter((o) => o.kind === 'Application')).toHaveLength(4);
  });

  test('the tenants gitops block overrides the platform values', () => {
    const custom = tenantValues('kind', [tenant('acme', [server('fetch')])], {
      gitops: { repoURL: 'https://git.example.com/tenants.git', targetRevision: 'v2', pathPrefix: 'out', argocdNamespace: 'openshift-gitops', destinationServer: 'https://api.example.com:6443' },
    });
    const app = one(render(custom), 'Application', 'mcp-fetch-acme');
    expect(app.metadata.namespace).toBe('openshift-gitops');
    expect(app.spec.source).toMatchObject({ repoURL: 'https://git.example.com/tenants.git', targetRevision: 'v2', path: 'out/kind/tenants/acme/10-workloads' });
    expect(app.spec.destination.server).toBe('https://api.example.com:6443');
  });

  test('the bootstrap Application syncs guardrails and ArgoCD objects of every tenant, never the workloads', () => {
    const app = tenantsBootstrapApplication(StackContext.fromValues(v), tenantGitops(v.tenants.gitops, v.gitops, v.profile), v.gitops.project);
    expect(app.metadata).toMatchObject({ name: 'mcp-stack-tenants', namespace: 'argocd', finalizers: ['resources-finalizer.argocd.argoproj.io'] });
    expect(app.spec.project).toBe('default');
    expect(app.spec.source).toEqual({
      repoURL: 'https://github.com/example/mcp-stack-deploy.git',
      targetRevision: 'main',
      path: 'dist/production/tenants',
      directory: { recurse: true, include: '{*/00-guardrails.yaml,*/20-argocd.yaml}' },
    });
    expect(app.spec.syncPolicy).toEqual({ automated: { prune: true, selfHeal: true } });
  });
});

describe('platform and API variants', () => {
  test('OpenShift: no runAsUser, runAsGroup or fsGroup; Routes with edge TLS; OpenShift DNS', () => {
    const items = [tenant('acme', [server('github', { exposure: 'route' })])];
    const objects = render(tenantValues('ocp', items, NO_DOMAIN));
    const pod = one(objects, 'MCPServer', 'github').spec.podTemplateSpec.spec;
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(JSON.stringify(pod)).not.toMatch(/runAsUser|runAsGroup|fsGroup/);
    const route = one(objects, 'Route', 'mcp-github');
    expect(route.spec).toEqual({
      port: { targetPort: 'http' },
      tls: { insecureEdgeTerminationPolicy: 'Redirect', termination: 'edge' },
      to: { kind: 'Service', name: 'mcp-github-proxy', weight: 100 },
      wildcardPolicy: 'None',
    });
    const dns = one(objects, 'NetworkPolicy', 'allow-dns').spec.egress[0];
    expect(dns.to[0].namespaceSelector.matchLabels).toEqual({ 'kubernetes.io/metadata.name': 'openshift-dns' });
    expect(dns.ports.map((p: any) => `${p.protocol}/${p.port}`)).toEqual(['UDP/53', 'TCP/53', 'UDP/5353', 'TCP/5353']);
    const router = one(objects, 'NetworkPolicy', 'allow-route').spec.ingress[0];
    expect(router.from).toEqual([{ namespaceSelector: { matchLabels: { 'network.openshift.io/policy-group': 'ingress' } } }]);
  });

  test('a Route with a domain gets the derived host', () => {
    const v = tenantValues('ocp', [tenant('acme', [server('github', { exposure: 'route' })])], { exposure: { ...tenantsDefaults.exposure, domain: 'apps.ocp.example.com' } });
    expect(one(render(v), 'Route', 'mcp-github').spec.host).toBe('mcp-github-acme.apps.ocp.example.com');
  });

  test('v1alpha1 for older operators: the same server, telemetry inline, no MCPTelemetryConfig', () => {
    const items = [tenant('acme', [server('github', { monitoring: true })])];
    const objects = render(tenantValues('kind', items, { mcpServerApiVersion: 'v1alpha1' }));
    const s = one(objects, 'MCPServer', 'github');
    expect(s.apiVersion).toBe('toolhive.stacklok.dev/v1alpha1');
    expect(s.spec.telemetry).toEqual({ prometheus: { enabled: true } });
    expect(s.spec.telemetryConfigRef).toBeUndefined();
    expect(s.spec.podTemplateSpec.spec.containers[0].name).toBe('mcp');
    expect(objects.some(({ o }) => o.kind === 'MCPTelemetryConfig')).toBe(false);
  });

  test('a writable root filesystem when asked, without the /tmp volume', () => {
    const objects = render(tenantValues('kind', [tenant('acme', [server('github', { readOnlyRootFilesystem: false, args: ['--port', '8000'], env: [{ name: 'LOG_LEVEL', value: 'debug' }] })])]));
    const s = one(objects, 'MCPServer', 'github').spec;
    expect(s.podTemplateSpec.spec.containers[0].securityContext.readOnlyRootFilesystem).toBe(false);
    expect(s.podTemplateSpec.spec.volumes).toBeUndefined();
    expect(s.args).toEqual(['--port', '8000']);
    expect(s.env).toEqual([{ name: 'LOG_LEVEL', value: 'debug' }]);
  });
});
