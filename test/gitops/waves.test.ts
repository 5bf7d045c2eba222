/**
 * Sync waves and hooks of the plain manifests: no object syncs before something it depends on, and Helm and ArgoCD
 * hooks agree.
 */
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { renderProfile } from '../../lib/cli/synth';
import { checkUnitWaves, checkWaves, SYNC_WAVE, syncWave, withSyncWave } from '../../lib/gitops';
import { buildStack } from '../../lib/stack/mcp-stack';
import { loadValues } from '../../profiles/loader';

const EXAMPLE_TENANTS = join(__dirname, '..', '..', 'examples', 'tenants.yaml');

const NS = 'apps';

function obj(kind: string, name: string, extra: { wave?: number; hook?: string; annotations?: Record<string, string>; spec?: any; labels?: Record<string, string>; roleRef?: any } = {}): any {
  const annotations: Record<string, string> = { ...(extra.annotations ?? {}) };
  if (extra.wave !== undefined) annotations[SYNC_WAVE] = String(extra.wave);
  if (extra.hook) annotations['argocd.argoproj.io/hook'] = extra.hook;
  return {
    apiVersion: 'v1',
    kind,
    metadata: { name, namespace: NS, ...(extra.labels ? { labels: extra.labels } : {}), ...(Object.keys(annotations).length ? { annotations } : {}) },
    ...(extra.spec ? { spec: extra.spec } : {}),
    ...(extra.roleRef ? { roleRef: extra.roleRef } : {}),
  };
}

function deployment(name: string, wave: number, pod: any, labels: Record<string, string> = { app: name }): any {
  return obj('Deployment', name, { wave, spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: pod } } });
}

const container = (extra: any = {}) => ({ name: 'app', image: 'example/app:1', ...extra });

describe('syncWave', () => {
  test.each([
    ['Namespace', undefined, '-2'],
    ['ServiceAccount', undefined, '-2'],
    ['ConfigMap', undefined, '-1'],
    ['Secret', undefined, '-1'],
    ['PersistentVolumeClaim', undefined, '-1'],
    ['NetworkPolicy', undefined, '-1'],
    ['PostgresCluster', 'database', '0'],
    ['StatefulSet', 'postgres', '0'],
    ['Service', 'postgres', '0'],
    ['Service', 'gateway', '1'],
    ['Deployment', 'gateway', '1'],
    ['StatefulSet', undefined, '1'],
    ['Ingress', 'exposure', '2'],
    ['Route', 'exposure', '2'],
    ['HorizontalPodAutoscaler', 'gateway', '2'],
    ['PodDisruptionBudget', 'gateway', '2'],
    ['Job', 'migration', undefined],
    ['Application', undefined, undefined],
    ['SomethingNew', undefined, undefined],
  ])('%s (component %s) → %s', (kind, component, wave) => {
    expect(syncWave(kind, component)).toBe(wave);
  });
});

describe('withSyncWave', () => {
  test('stamps the wave of the kind and leaves the input as it was', () => {
    const cm = obj('ConfigMap', 'config');
    const stamped = withSyncWave(cm);
    expect(stamped.metadata.annotations).toEqual({ [SYNC_WAVE]: '-1' });
    expect(cm.metadata.annotations).toBeUndefined();
  });

  test('keeps hooks and explicit waves', () => {
    const hook = obj('ConfigMap', 'hooked', { hook: 'PreSync' });
    const explicit = obj('ConfigMap', 'explicit', { wave: 5 });
    expect(withSyncWave(hook)).toBe(hook);
    expect(withSyncWave(explicit)).toBe(explicit);
  });

  test('leaves kinds without a wave alone', () => {
    const job = obj('Job', 'once');
    expect(withSyncWave(job)).toBe(job);
  });
});

describe('checkWaves finds a dependency that syncs later', () => {
  test('a Deployment before its ConfigMap volume, env source and ServiceAccount', () => {
    const problems = checkWaves([
      obj('ConfigMap', 'files', { wave: 2 }),
      obj('ConfigMap', 'env', { wave: 3 }),
      obj('ServiceAccount', 'runner', { wave: 4 }),
      deployment('web', 1, {
        serviceAccountName: 'runner',
        volumes: [{ name: 'files', configMap: { name: 'files' } }],
        containers: [container({ envFrom: [{ configMapRef: { name: 'env' } }] })],
      }),
    ]);
    expect(problems).toEqual([
      'Deployment apps/web (wave 1) needs ServiceAccount apps/runner (its service account), which syncs later (wave 4)',
      'Deployment apps/web (wave 1) needs ConfigMap apps/files (volume files), which syncs later (wave 2)',
      'Deployment apps/web (wave 1) needs ConfigMap apps/env (envFrom of container app), which syncs later (wave 3)',
    ]);
  });

  test('Secrets and PersistentVolumeClaims of a pod, from env and volumes', () => {
    const problems = checkWaves([
      obj('Secret', 'creds', { wave: 3 }),
      obj('PersistentVolumeClaim', 'data', { wave: 3 }),
      deployment('db', 1, {
        volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }],
        containers: [container({ env: [{ name: 'PW', valueFrom: { secretKeyRef: { name: 'creds', key: 'pw' } } }] })],
      }),
    ]);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain('needs PersistentVolumeClaim apps/data');
    expect(problems[1]).toContain('needs Secret apps/creds (env PW of container app)');
  });

  test('an Ingress and a Route before their Service', () => {
    const problems = checkWaves([
      obj('Service', 'web', { wave: 1 }),
      obj('Ingress', 'web', { wave: 0, spec: { rules: [{ http: { paths: [{ path: '/', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] } }),
      obj('Route', 'web', { wave: 0, spec: { to: { kind: 'Service', name: 'web' } } }),
    ]);
    expect(problems).toEqual([
      'Ingress apps/web (wave 0) needs Service apps/web (its backend), which syncs later (wave 1)',
      'Route apps/web (wave 0) needs Service apps/web (its target), which syncs later (wave 1)',
    ]);
  });

  test('an HPA and a PodDisruptionBudget before their workload', () => {
    const problems = checkWaves([
      deployment('web', 3, { containers: [container()] }),
      obj('HorizontalPodAutoscaler', 'web', { wave: 2, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' } } }),
      obj('PodDisruptionBudget', 'web', { wave: 2, spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } } }),
    ]);
    expect(problems).toEqual([
      'HorizontalPodAutoscaler apps/web (wave 2) needs Deployment apps/web (the workload it scales), which syncs later (wave 3)',
      'PodDisruptionBudget apps/web (wave 2) needs Deployment apps/web (the pods it protects), which syncs later (wave 3)',
    ]);
  });

  test("a PostgresCluster before its databaseInitSQL ConfigMap", () => {
    const problems = checkWaves([
      obj('ConfigMap', 'init', { wave: 1 }),
      obj('PostgresCluster', 'pg', { wave: 0, spec: { databaseInitSQL: { name: 'init', key: 'init.sql' } } }),
    ]);
    expect(problems).toEqual(['PostgresCluster apps/pg (wave 0) needs ConfigMap apps/init (its databaseInitSQL), which syncs later (wave 1)']);
  });

  test('objects of a namespace before the Namespace', () => {
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS, annotations: { [SYNC_WAVE]: '1' } } };
    expect(checkWaves([ns, obj('ConfigMap', 'early', { wave: 0 })])).toEqual([
      'ConfigMap apps/early (wave 0) needs Namespace apps (its namespace), which syncs later (wave 1)',
    ]);
  });

  test('a PreSync hook that needs an object of the sync phase, whatever the waves', () => {
    const job = obj('Job', 'migrate', { hook: 'PreSync', spec: { template: { spec: { containers: [container({ envFrom: [{ configMapRef: { name: 'settings' } }] })] } } } });
    expect(checkWaves([obj('ConfigMap', 'settings', { wave: -5 }), job])).toEqual([
      'Job apps/migrate (PreSync hook, wave 0) needs ConfigMap apps/settings (envFrom of container app), which syncs later (wave -5)',
    ]);
  });

  test('an object that needs a hook deleted as soon as it succeeds', () => {
    const hook = obj('ConfigMap', 'settings', { hook: 'PreSync', annotations: { 'argocd.argoproj.io/hook-delete-policy': 'HookSucceeded' } });
    const web = deployment('web', 1, { volumes: [{ name: 's', configMap: { name: 'settings' } }], containers: [container()] });
    expect(checkWaves([hook, web])).toEqual([
      'Deployment apps/web (wave 1) needs ConfigMap apps/settings (volume s), a PreSync hook deleted as soon as it succeeds',
    ]);
  });

  test('a dependency in an Application the root syncs at the same time or later', () => {
    const sa = obj('ServiceAccount', 'runner');
    const web = deployment('web', 1, { serviceAccountName: 'runner', containers: [container()] });
    const apps = new Map<any, { name: string; wave: number }>([
      [sa, { name: 'benchmark', wave: 2 }],
      [web, { name: 'platform', wave: 1 }],
    ]);
    expect(checkWaves([sa, web], { applicationOf: (o) => apps.get(o) })).toEqual([
      'Deployment apps/web (platform, wave 1) needs ServiceAccount apps/runner (its service account), but that is synced by the Application benchmark (wave 2), which the root does not sync before platform (wave 1)',
    ]);
    // An earlier Application is fine whatever the waves inside it.
    apps.set(sa, { name: 'database', wave: 0 });
    expect(checkWaves([sa, web], { applicationOf: (o) => apps.get(o) })).toEqual([]);
  });

  test('a wave that is not an integer', () => {
    expect(checkWaves([obj('ConfigMap', 'x', { annotations: { [SYNC_WAVE]: 'first' } })])).toEqual([
      `ConfigMap apps/x: ${SYNC_WAVE} must be an integer (received "first")`,
    ]);
  });

  test('equal waves are fine: ArgoCD applies a wave by kind, and pods wait for what they mount', () => {
    const problems = checkWaves([
      obj('ConfigMap', 'files', { wave: 1 }),
      deployment('web', 1, { volumes: [{ name: 'files', configMap: { name: 'files' } }], containers: [container()] }),
    ]);
    expect(problems).toEqual([]);
  });

  test('references to objects outside the set (Secrets made by the secrets command) are not checked', () => {
    const web = deployment('web', 1, { containers: [container({ envFrom: [{ secretRef: { name: 'external' } }] })] });
    expect(checkWaves([web])).toEqual([]);
  });
});

describe('checkWaves holds Helm and ArgoCD hooks to the same order', () => {
  const hook = (name: string, helm: string, argo: string | undefined, weight: number, wave: number, helmDelete = 'before-hook-creation', argoDelete = 'BeforeHookCreation') =>
    obj('ConfigMap', name, {
      annotations: {
        'helm.sh/hook': helm,
        'helm.sh/hook-weight': String(weight),
        'helm.sh/hook-delete-policy': helmDelete,
        ...(argo ? { 'argocd.argoproj.io/hook': argo } : {}),
        'argocd.argoproj.io/hook-delete-policy': argoDelete,
        [SYNC_WAVE]: String(wave),
      },
    });

  test('a pre-install hook must be PreSync', () => {
    expect(checkWaves([hook('a', 'pre-install,pre-upgrade', 'PostSync', 0, 0)])).toEqual([
      "ConfigMap apps/a: helm.sh/hook 'pre-install,pre-upgrade' runs as PreSync under ArgoCD, but argocd.argoproj.io/hook is 'PostSync'",
    ]);
    expect(checkWaves([hook('b', 'post-install', undefined, 0, 0)])[0]).toContain("runs as PostSync under ArgoCD, but argocd.argoproj.io/hook is missing");
  });

  test('weights and waves order hooks of a phase the same way', () => {
    expect(checkWaves([hook('first', 'pre-install', 'PreSync', -5, 1), hook('second', 'pre-install', 'PreSync', 0, 0)])).toEqual([
      'ConfigMap apps/first runs before ConfigMap apps/second under Helm (weight -5 < 0) but after it under ArgoCD (wave 1 > 0)',
    ]);
  });

  test('delete policies match', () => {
    expect(checkWaves([hook('a', 'pre-install', 'PreSync', 0, 0, 'before-hook-creation,hook-succeeded', 'BeforeHookCreation')])[0]).toContain('delete the hook at different times');
  });
});

describe.each(['kind', 'ocp', 'production'])('the waves of the real %s profile', (profile) => {
  const values = loadValues({ profile, sets: ['benchmark.enabled=true', 'networkPolicies.enabled=true'] });
  const units = buildStack(values).units.map((u) => ({ file: u.file, objects: u.objects.map(withSyncWave) }));

  test('never place an object before one it depends on', () => {
    expect(checkUnitWaves(units)).toEqual([]);
  });

  test('are caught when broken: a ConfigMap moved after the Deployment that mounts it', () => {
    const broken = units.map((u) => ({
      file: u.file,
      objects: u.objects.map((o) => (o.kind === 'ConfigMap' && o.metadata.name === 'mcp-stack-nginx' ? { ...o, metadata: { ...o.metadata, annotations: { [SYNC_WAVE]: '5' } } } : o)),
    }));
    expect(checkUnitWaves(broken)).toEqual([expect.stringMatching(/^Deployment mcp-stack\/mcp-stack-nginx \(platform, wave 1\) needs ConfigMap mcp-stack\/mcp-stack-nginx .* which syncs later \(platform, wave 5\)$/)]);
  });

  test('the migration runs before the gateway and after its configuration; registration after the gateway', () => {
    const all = units.flatMap((u) => u.objects);
    const migration = all.find((o) => o.kind === 'Job' && o.metadata.labels['app.kubernetes.io/component'] === 'migration');
    expect(migration.metadata.annotations['argocd.argoproj.io/hook']).toBe('PreSync');
    const registrations = all.filter((o) => o.kind === 'Job' && o.metadata.labels['app.kubernetes.io/component'] === 'registration');
    expect(registrations.map((o) => o.metadata.annotations['argocd.argoproj.io/hook'])).toEqual(registrations.map(() => 'PostSync'));
    const gatewayConfig = all.filter((o) => o.kind === 'ConfigMap' && o.metadata.labels['app.kubernetes.io/component'] === 'gateway');
    expect(gatewayConfig.length).toBeGreaterThan(0);
    for (const c of gatewayConfig) expect(Number(c.metadata.annotations[SYNC_WAVE])).toBeLessThan(Number(migration.metadata.annotations[SYNC_WAVE] ?? 0));
  });
});

// The example tenants use public images by tag, which production refuses (digests and an allow-list).
describe.each(['kind', 'ocp'])('the waves of every file of the %s profile with the example tenants', (profile) => {
  const values = loadValues({ profile, tenantsFile: EXAMPLE_TENANTS, sets: ['benchmark.enabled=true'] });
  const files = [...renderProfile(values)].filter(([file]) => file.endsWith('.yaml'));
  const units = files.map(([file, text]) => ({ file, objects: (loadAll(text) as any[]).filter((d) => d != null).map(withSyncWave) }));

  test('tenant workloads sync after the guardrails and Applications that the tenants Application creates', () => {
    expect(units.some((u) => u.file.includes('/10-workloads/'))).toBe(true);
    expect(checkUnitWaves(units)).toEqual([]);
  });

  test('a tenant workload moved into the platform would sync before its namespace', () => {
    const moved = units.map((u) => (u.file.includes('/10-workloads/') ? { ...u, file: '25-moved.yaml' } : u));
    expect(checkUnitWaves(moved)[0]).toMatch(/needs Namespace .* but that is synced by the Application tenants \(wave 2\), which the root does not sync before platform \(wave 1\)$/);
  });
});
