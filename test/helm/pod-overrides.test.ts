/**
 * Escape hatches (extraEnv, extraEnvFrom, podAnnotations, podLabels, nodeSelector, tolerations, affinity,
 * priorityClassName, extraVolumes, extraVolumeMounts) and global.imageRegistry: the same values reach the plain
 * synth and the chart (Helm 3 and 4) alike, they never touch selectors, and the synth's output gate checks the
 * Kubernetes objects given verbatim.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { helmChartFiles } from '../../lib/helm';
import { byKey, HELM_NAMES, helm, helmTemplate, plain, requireHelm, ROOT, tempDir, writeChart } from './support';

const overrides = {
  extraEnv: [
    { name: 'HTTP_PROXY', value: 'http://proxy.example.com:3128' },
    { name: 'FROM_SECRET', valueFrom: { secretKeyRef: { name: 'corp-settings', key: 'token' } } },
  ],
  extraEnvFrom: [{ configMapRef: { name: 'corp-settings' } }],
  podAnnotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/mcp', 'example.com/note': 'quoted: {{ not a template }}' },
  podLabels: { team: 'platform', 'example.com/cost-center': 'c-42' },
  nodeSelector: { pool: 'mcp' },
  tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'mcp', effect: 'NoSchedule' }],
  affinity: {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchExpressions: [{ key: 'pool', operator: 'In', values: ['mcp'] }] }],
      },
    },
  },
  priorityClassName: 'mcp-high',
  extraVolumes: [{ name: 'ca', configMap: { name: 'corp-ca' } }],
  extraVolumeMounts: [{ name: 'ca', mountPath: '/etc/corp-ca', readOnly: true }],
};

/** Every workload that takes escape hatches, by its values path and its object. */
const WORKLOADS = [
  { path: ['gateway'], kind: 'Deployment', name: 'mcp-stack-gateway' },
  { path: ['nginx'], kind: 'Deployment', name: 'mcp-stack-nginx' },
  { path: ['redis'], kind: 'StatefulSet', name: 'mcp-stack-redis' },
  { path: ['database', 'standalone'], kind: 'StatefulSet', name: 'mcp-stack-postgres' },
  { path: ['fastTimeServer'], kind: 'Deployment', name: 'mcp-stack-fast-time-server' },
  { path: ['benchmark', 'master'], kind: 'Deployment', name: 'mcp-stack-locust-master' },
  { path: ['benchmark', 'worker'], kind: 'Deployment', name: 'mcp-stack-locust-worker' },
  // Jobs are named by a hash of what they are built from: found by the name's stem.
  { path: ['migration'], kind: 'Job', name: 'mcp-stack-migrate-' },
  { path: ['registration'], kind: 'Job', name: 'mcp-stack-register-' },
];

/** A workload's object: Deployments and StatefulSets by name, Jobs by their name's stem. */
function workload(objs: any[], kind: string, name: string): any {
  const found = objs.filter((x) => x.kind === kind && (kind === 'Job' ? x.metadata.name.startsWith(name) : x.metadata.name === name));
  expect(found).toHaveLength(1);
  return found[0];
}

function nest(path: string[], value: unknown): any {
  return path.reduceRight<any>((inner, key) => ({ [key]: inner }), value);
}

function merge(a: any, b: any): any {
  if (!a || typeof a !== 'object' || Array.isArray(a)) return b;
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = k in out ? merge(out[k], v) : v;
  return out;
}

let dir: string;
let chart: string;
let allFile: string;

beforeAll(() => {
  requireHelm();
  dir = tempDir('overrides');
  chart = writeChart(helmChartFiles());
  const all = WORKLOADS.reduce((acc, w) => merge(acc, nest(w.path, overrides)), { benchmark: { enabled: true }, global: { imageRegistry: 'mirror.example.com:5000/hub' } });
  allFile = join(dir, 'all.yaml');
  writeFileSync(allFile, dump(all));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(join(chart, '..'), { recursive: true, force: true });
});

describe('plain synth', () => {
  const objects = () => plain('kind', { valuesFiles: [allFile] });

  test.each(WORKLOADS)('$name gets every escape hatch, after its own entries', ({ kind, name }) => {
    const o = workload(objects(), kind, name);
    const pod = o.spec.template;
    const main = pod.spec.containers[0];
    expect(main.env.slice(-2)).toEqual(overrides.extraEnv);
    expect(main.envFrom.slice(-1)).toEqual(overrides.extraEnvFrom);
    expect(main.volumeMounts.slice(-1)).toEqual(overrides.extraVolumeMounts);
    expect(pod.spec.volumes.slice(-1)).toEqual(overrides.extraVolumes);
    expect(pod.spec.tolerations).toEqual(overrides.tolerations);
    expect(pod.spec.nodeSelector).toEqual(overrides.nodeSelector);
    expect(pod.spec.priorityClassName).toBe('mcp-high');
    expect(pod.spec.affinity.nodeAffinity).toEqual(overrides.affinity.nodeAffinity);
    expect(pod.metadata.annotations).toMatchObject(overrides.podAnnotations);
    expect(pod.metadata.labels).toMatchObject({ ...overrides.podLabels, 'app.kubernetes.io/name': expect.any(String) });
    // Pod labels never reach the selector (immutable) nor the Service's; a Job's selector is the API server's.
    if (kind === 'Job') return;
    expect(Object.keys(o.spec.selector.matchLabels).sort()).toEqual(['app.kubernetes.io/component', 'app.kubernetes.io/instance', 'app.kubernetes.io/name']);
  });

  test('the stack keeps its own pod anti-affinity beside a nodeAffinity, and a podAntiAffinity given replaces it', () => {
    const gateway = (objs: any[]) => objs.find((x) => x.kind === 'Deployment' && x.metadata.name === 'mcp-stack-gateway').spec.template.spec.affinity;
    expect(Object.keys(gateway(objects())).sort()).toEqual(['nodeAffinity', 'podAntiAffinity']);
    const mine = { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { a: 'b' } } }] };
    const file = join(dir, 'anti.yaml');
    writeFileSync(file, dump({ gateway: { affinity: { podAntiAffinity: mine } } }));
    expect(gateway(plain('kind', { valuesFiles: [file] })).podAntiAffinity).toEqual(mine);
  });

  test('global.imageRegistry replaces the registry host of every image, digest and tag kept', () => {
    const images = objects().flatMap((o: any) => {
      const spec = o.spec?.template?.spec ?? o.spec?.jobTemplate?.spec?.template?.spec;
      return spec ? [...(spec.initContainers ?? []), ...spec.containers].map((c: any) => c.image) : [];
    });
    expect(images.length).toBeGreaterThan(6);
    for (const image of images) expect(image).toMatch(/^mirror\.example\.com:5000\/hub\/[a-z0-9/._-]+:[A-Za-z0-9._-]+(@sha256:[a-f0-9]{64})?$/);
    expect(images).toContain('mirror.example.com:5000/hub/ibm/mcp-context-forge:v1.0.7');
    expect(images).toContain('mirror.example.com:5000/hub/library/redis:7.4.2');
  });

  test('unset, no pod gets any of the fields (the output is what it was)', () => {
    for (const o of plain('production')) {
      const spec = o.spec?.template?.spec;
      if (!spec) continue;
      expect([spec.nodeSelector, spec.tolerations, spec.priorityClassName]).toEqual([undefined, undefined, undefined]);
    }
  });

  test('the output gate checks the objects given verbatim: a misspelt field is refused and nothing is written', () => {
    const file = join(dir, 'typo.yaml');
    writeFileSync(file, dump({ redis: { tolerations: [{ key: 'dedicated', operater: 'Exists' }] } }));
    const out = join(dir, 'out');
    const r = spawnSync(process.execPath, [join(ROOT, 'build', 'main.js'), 'synth', '--values', file, '--out', out], { encoding: 'utf8' });
    const text = r.stdout + r.stderr;
    expect(r.status).not.toBe(0);
    expect(text).toContain("unknown field 'operater' in 'spec.template.spec.tolerations[0]'");
    expect(text).toContain('StatefulSet/mcp-stack/mcp-stack-redis');
    expect(existsSync(out)).toBe(false);
  });

  test('an extra volume or mount that collides with a built-in one is refused, naming both, and nothing is written', () => {
    const file = join(dir, 'collide.yaml');
    writeFileSync(
      file,
      dump({
        // `tmp` is the gateway's own writable volume; NGINX already mounts its emptyDir at /tmp.
        gateway: { extraVolumes: [{ name: 'tmp', emptyDir: {} }] },
        nginx: { extraVolumes: [{ name: 'scratch', emptyDir: {} }], extraVolumeMounts: [{ name: 'scratch', mountPath: '/tmp' }] },
      }),
    );
    const out = join(dir, 'out-collide');
    const r = spawnSync(process.execPath, [join(ROOT, 'build', 'main.js'), 'synth', '--values', file, '--out', out], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/Deployment\/mcp-stack\/mcp-stack-gateway +spec\.template\.spec\.volumes\[\d+\]\.name +\[pod\/duplicate-volume\] volume name 'tmp' is used twice/);
    expect(r.stderr).toMatch(/Deployment\/mcp-stack\/mcp-stack-nginx +spec\.template\.spec\.containers\[0\]\.volumeMounts\[\d+\]\.mountPath +\[pod\/duplicate-mount-path\] mount path '\/tmp' is used twice in container 'nginx'/);
    expect(r.stderr).toContain('synth: the output gate found errors; nothing was written');
    expect(existsSync(out)).toBe(false);
  });

  test('a pod label that would change a selector is refused, naming the key', () => {
    const file = join(dir, 'selector.yaml');
    writeFileSync(file, dump({ gateway: { podLabels: { 'app.kubernetes.io/name': 'other' } } }));
    expect(() => plain('kind', { valuesFiles: [file] })).toThrow(/gateway\.podLabels.*app\.kubernetes\.io\/name/s);
  });
});

/** The Job names of a render, by their stem. */
function jobNames(objs: any[]): Record<string, string> {
  const stem = (n: string) => n.replace(/-[0-9a-f]{8}$/, '');
  return Object.fromEntries(objs.filter((o) => o.kind === 'Job').map((o) => [stem(o.metadata.name), o.metadata.name]));
}

describe('Job names follow the escape hatches (a Job\'s pod template is immutable)', () => {
  const tenantsFile = join(ROOT, 'examples', 'tenants.yaml');
  const names = (sets: string[]) => jobNames(plain('kind', { sets }, { tenantsFile }));
  const base = () => names([]);

  test('the stack has its three Jobs: migration, registration and tenant registration', () => {
    expect(Object.keys(base()).sort()).toEqual(['mcp-stack-migrate', 'mcp-stack-register', 'mcp-stack-register-tenants']);
  });

  test('every escape hatch given empty keeps every name', () => {
    const file = join(dir, 'empty.yaml');
    const empty = { extraEnv: [], extraEnvFrom: [], podAnnotations: {}, podLabels: {}, nodeSelector: {}, tolerations: [], affinity: {}, priorityClassName: '', extraVolumes: [], extraVolumeMounts: [] };
    writeFileSync(file, dump({ migration: empty, registration: empty }));
    expect(jobNames(plain('kind', { valuesFiles: [file] }, { tenantsFile }))).toEqual(base());
  });

  test.each([
    ['migration.nodeSelector.pool=mcp', ['mcp-stack-migrate']],
    ['migration.priorityClassName=mcp-high', ['mcp-stack-migrate']],
    ['registration.podLabels.team=platform', ['mcp-stack-register', 'mcp-stack-register-tenants']],
    ['registration.nodeSelector.pool=mcp', ['mcp-stack-register', 'mcp-stack-register-tenants']],
  ])('%s renames exactly %p', (set, renamed) => {
    const before = base();
    const after = names([set]);
    for (const stem of Object.keys(before)) {
      if (renamed.includes(stem)) expect(after[stem]).not.toBe(before[stem]);
      else expect(after[stem]).toBe(before[stem]);
    }
  });

  test('the tenant registration Job gets the registration block\'s escape hatches', () => {
    const job = plain('kind', { valuesFiles: [allFile] }, { tenantsFile }).find((o: any) => o.kind === 'Job' && o.metadata.name.startsWith('mcp-stack-register-tenants-'));
    expect(job.spec.template.spec.nodeSelector).toEqual(overrides.nodeSelector);
    expect(job.spec.template.spec.containers[0].env.slice(-2)).toEqual(overrides.extraEnv);
  });
});

describe.each(HELM_NAMES)('%s', (h) => {
  test.each(['migration', 'registration'])('a %s escape hatch given by --set renames its Job as the plain synth does', (block) => {
    const o = { valuesFiles: [join(chart, 'values-kind.yaml')], sets: [`${block}.nodeSelector.pool=mcp`] };
    const rendered = helmTemplate(h, chart, o);
    expect(jobNames(rendered)).toEqual(jobNames(plain('kind', o)));
    expect(jobNames(rendered)).not.toEqual(jobNames(helmTemplate(h, chart, { valuesFiles: o.valuesFiles })));
  });

  test.each(['kind', 'production'])('every escape hatch on values-%s.yaml renders what the plain synth renders', (profile) => {
    const o = { valuesFiles: [join(chart, `values-${profile}.yaml`), allFile] };
    expect(byKey(helmTemplate(h, chart, o))).toEqual(byKey(plain(profile, o)));
  });

  test('--set reaches them too (a node selector, a label, a priority class, the registry)', () => {
    const sets = ['redis.nodeSelector.pool=mcp', 'nginx.podLabels.team=edge', 'gateway.priorityClassName=mcp-high', 'global.imageRegistry=mirror.example.com'];
    const o = { valuesFiles: [join(chart, 'values-ocp.yaml')], sets };
    expect(byKey(helmTemplate(h, chart, o))).toEqual(byKey(plain('ocp', o)));
  });

  test('the schema refuses a selector label among the pod labels', () => {
    const r = helm(h, ['template', 'x', chart, '--set', 'gateway.podLabels.app\\.kubernetes\\.io/name=other']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('app.kubernetes.io/name');
  });
});
