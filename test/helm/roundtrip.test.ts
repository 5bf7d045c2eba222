/**
 * The chart's guarantee: `helm template` (Helm 3 and Helm 4) renders exactly what the plain synth writes, for every
 * profile, for another release name and namespace, with a value changed, with a toggle flipped, and with values
 * that hold template syntax, quotes, colons and line breaks.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { helmChartFiles } from '../../lib/helm';
import { loadValues } from '../../profiles/loader';
import { byKey, differences, HELM_NAMES, helmTemplate, helmTemplateDocs, keyOf, plain, PROFILES, requireHelm, tempDir, writeChart } from './support';

let chart: string;

beforeAll(() => {
  requireHelm();
  chart = writeChart(helmChartFiles());
});

const valuesOf = (profile: string) => join(chart, `values-${profile}.yaml`);

describe.each(HELM_NAMES)('%s template', (h) => {
  test.each(PROFILES)('with values-%s.yaml equals the plain synth of that profile, object by object', (profile) => {
    const rendered = helmTemplate(h, chart, { valuesFiles: [valuesOf(profile)] });
    expect(byKey(rendered)).toEqual(byKey(plain(profile)));
  });

  test('takes the release name and namespace from Helm: every name and namespace follows them', () => {
    const o = { release: 'other-rel', namespace: 'other-ns' };
    const rendered = helmTemplate(h, chart, { ...o, valuesFiles: [valuesOf('ocp')] });
    expect(byKey(rendered)).toEqual(byKey(plain('ocp', o)));
    expect(rendered.filter((x) => x.kind !== 'Namespace').every((x) => x.metadata.namespace === 'other-ns')).toBe(true);
    expect(rendered.every((x) => x.metadata.name.startsWith('other-rel') || x.kind === 'Namespace')).toBe(true);
  });

  test('values.yaml alone is the kind profile', () => {
    expect(byKey(helmTemplate(h, chart))).toEqual(byKey(plain('kind')));
  });

  test('--set gateway.replicas=5 changes the replica count, and the pod checksum that covers the gateway values', () => {
    const o = { valuesFiles: [valuesOf('ocp')], sets: ['gateway.replicas=5'] };
    const base = helmTemplate(h, chart, { valuesFiles: [valuesOf('ocp')] });
    const changed = helmTemplate(h, chart, o);
    expect(differences(base, changed)).toEqual([
      'Deployment/mcp-stack-gateway:.spec.replicas',
      'Deployment/mcp-stack-gateway:.spec.template.metadata.annotations.checksum/config',
    ]);
    expect(byKey(changed)).toEqual(byKey(plain('ocp', o)));
  });

  test('--set of a value outside any checksum changes exactly that field', () => {
    const o = { valuesFiles: [valuesOf('kind')], sets: ['redis.maxClients=20000'] };
    const changed = helmTemplate(h, chart, o);
    const changes = differences(helmTemplate(h, chart, { valuesFiles: [valuesOf('kind')] }), changed);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatch(/^(Deployment|StatefulSet)\/mcp-stack-redis:\.spec\.template\.spec\.containers\.0\.command\.2$/);
    expect(byKey(changed)).toEqual(byKey(plain('kind', o)));
  });

  test('integers stay integers (Helm reads values as floats: 1000000 must not become 1e+06)', () => {
    const o = { valuesFiles: [valuesOf('ocp')], sets: ['gateway.maxRequests=12000000', 'database.pgo.pgbouncer.maxClientConn=1000000'] };
    expect(byKey(helmTemplate(h, chart, o))).toEqual(byKey(plain('ocp', o)));
  });

  // Each toggle adds or removes its objects (and reshapes the ones that depend on it) exactly as the synth does.
  const migrationJob = expect.stringMatching(/^Job\/mcp-stack-migrate-[0-9a-f]{8}$/);
  const registrationJob = expect.stringMatching(/^Job\/mcp-stack-register-[0-9a-f]{8}$/);
  const toggles: [string, string, string[], (added: string[], removed: string[]) => void][] = [
    ['kind', 'HPA on', ['gateway.hpa.enabled=true'], (a, r) => (expect(a).toEqual(['HorizontalPodAutoscaler/mcp-stack-gateway']), expect(r).toEqual([]))],
    ['ocp', 'gateway PDB off', ['gateway.pdb.enabled=false'], (a, r) => (expect(a).toEqual([]), expect(r).toEqual(['PodDisruptionBudget/mcp-stack-gateway']))],
    ['ocp', 'Route → no exposure', ['exposure.type=none'], (a, r) => (expect(a).toEqual([]), expect(r).toEqual(['Route/mcp-stack-gateway']))],
    ['kind', 'Ingress → no exposure', ['exposure.type=none'], (a, r) => (expect(a).toEqual([]), expect(r).toEqual(['Ingress/mcp-stack-gateway']))],
    ['kind', 'NetworkPolicies on', ['networkPolicies.enabled=true'], (a, r) => (expect(a.length).toBeGreaterThan(3), expect(a.every((k) => k.startsWith('NetworkPolicy/'))).toBe(true), expect(r).toEqual([]))],
    ['production', 'NetworkPolicies off', ['networkPolicies.enabled=false'], (a, r) => (expect(a).toEqual([]), expect(r.every((k) => k.startsWith('NetworkPolicy/'))).toBe(true))],
    // The migration Job is named after the PGO settings it reads (a Job template is immutable), so it is renamed.
    ['production', 'monitoring off', ['database.pgo.monitoring=false'], (a, r) => (expect(a).toEqual([migrationJob]), expect(r).toEqual([migrationJob, 'NetworkPolicy/mcp-stack-allow-postgres-instances']))],
    ['kind', 'benchmark on', ['benchmark.enabled=true'], (a, r) => (expect(a.length).toBeGreaterThan(3), expect(a.some((k) => k.startsWith('CronJob/'))).toBe(true), expect(r).toEqual([]))],
    ['production', 'benchmark on, with NetworkPolicies', ['benchmark.enabled=true'], (a, r) => (expect(a.some((k) => k.startsWith('NetworkPolicy/'))).toBe(true), expect(r).toEqual([]))],
    ['kind', 'standalone → PGO', ['database.mode=pgo'], (a, r) => (expect(a).toContain('PostgresCluster/mcp-stack-pg'), expect(r).toContain('StatefulSet/mcp-stack-postgres'))],
    ['kind', 'no NGINX', ['nginx.enabled=false'], (a, r) => (expect(a).toEqual([]), expect(r).toContain('Deployment/mcp-stack-nginx'))],
    // Both Jobs get the pull Secrets in their (immutable) template, so both are renamed.
    ['kind', 'image pull Secrets', ['images.pullSecrets={regcred,mirror}'], (a, r) => (expect(a).toEqual([migrationJob, registrationJob]), expect(r).toEqual([migrationJob, registrationJob]))],
  ];
  test.each(toggles)('%s: %s matches the plain synth with the same --set', (profile, _what, sets, check) => {
    const base = helmTemplate(h, chart, { valuesFiles: [valuesOf(profile)] });
    const flipped = helmTemplate(h, chart, { valuesFiles: [valuesOf(profile)], sets });
    const keys = (list: any[]) => new Set(list.map(keyOf));
    check([...keys(flipped)].filter((k) => !keys(base).has(k)).sort(), [...keys(base)].filter((k) => !keys(flipped).has(k)).sort());
    const helmSets = sets.map((s) => s);
    expect(byKey(flipped)).toEqual(byKey(plain(profile, { sets: helmSets })));
  });

  test('PGO monitoring toggles only the exporter of the PostgresCluster and the policy admitting its scrapes', () => {
    const on = helmTemplate(h, chart, { valuesFiles: [valuesOf('production')] });
    const off = helmTemplate(h, chart, { valuesFiles: [valuesOf('production')], sets: ['database.pgo.monitoring=false'] });
    // Plus the migration Job, renamed because it is named after the PGO settings.
    expect(differences(on, off)).toEqual([
      expect.stringMatching(/^\+Job\/mcp-stack-migrate-[0-9a-f]{8}$/),
      expect.stringMatching(/^-Job\/mcp-stack-migrate-[0-9a-f]{8}$/),
      '-NetworkPolicy/mcp-stack-allow-postgres-instances',
      'PostgresCluster/mcp-stack-pg:.spec.monitoring',
    ]);
  });

  test('values with template syntax, quotes, colons and line breaks come out verbatim', () => {
    const tricky = {
      gateway: {
        platformAdminEmail: `o'brien+{{.Release.Name}}:"x"%d@example.com`,
        extraConfig: { MOTD: 'line one: {{ not a template }}\n"quoted" and \'single\' %s %d\nlast <b>&amp;</b>' },
      },
      exposure: { tlsSecretName: 'tls: {{ x }}', ingressClassName: 'class "a"\nb' },
      database: { standalone: { storage: { storageClass: '{{ .Values }}: %v' } } },
    };
    const file = join(tempDir('values'), 'tricky.yaml');
    writeFileSync(file, dump(tricky));
    const o = { valuesFiles: [valuesOf('kind'), file] };
    const rendered = byKey(helmTemplate(h, chart, o));
    expect(rendered).toEqual(byKey(plain('kind', o)));
    expect(rendered['ConfigMap/mcp-stack-gateway'].data.MOTD).toBe(tricky.gateway.extraConfig.MOTD);
    expect(rendered['Ingress/mcp-stack-gateway'].spec.ingressClassName).toBe(tricky.exposure.ingressClassName);
  });

  test('a tag that is not a label value is sanitized in labels exactly as the constructs do', () => {
    const o = { valuesFiles: [valuesOf('kind')], sets: ['images.gateway.tag=_v1.0.11-rc.1_'] };
    const rendered = byKey(helmTemplate(h, chart, o));
    expect(rendered).toEqual(byKey(plain('kind', o)));
    expect(rendered['Deployment/mcp-stack-gateway'].metadata.labels['app.kubernetes.io/version']).toBe('v1.0.11-rc.1');
  });

  test('one image value feeds the gateway, the migration and the registration (and their Job names)', () => {
    const digest = 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
    const o = { valuesFiles: [valuesOf('kind')], sets: [`images.gateway.digest=${digest}`, 'images.gateway.tag=v9.9.9'] };
    const rendered = helmTemplate(h, chart, o);
    expect(byKey(rendered)).toEqual(byKey(plain('kind', o)));
    const images = rendered.flatMap((x) => x.spec?.template?.spec?.containers ?? []).map((c: any) => c.image).filter((i: string) => i.includes('mcp-context-forge'));
    expect(new Set(images)).toEqual(new Set([`ghcr.io/ibm/mcp-context-forge:v9.9.9@${digest}`]));
    expect(images.length).toBeGreaterThanOrEqual(3);
  });
});

/** Toggles and the values they take, for random combinations (the kind of mix no single test names). */
const MIX: Record<string, readonly (string | number | boolean)[]> = {
  platform: ['kubernetes', 'openshift'],
  'gateway.hpa.enabled': [true, false],
  'gateway.pdb.enabled': [true, false],
  'gateway.plugins.enabled': [true, false],
  'nginx.enabled': [true, false],
  'nginx.tls': [true, false],
  'nginx.pdb.enabled': [true, false],
  'database.mode': ['standalone', 'pgo'],
  'database.pgo.monitoring': [true, false],
  'database.pgo.backups.fullSchedule': ['', '0 1 * * 0'],
  'redis.persistence.enabled': [true, false],
  'fastTimeServer.enabled': [true, false],
  'fastTimeServer.pdb.enabled': [true, false],
  'registration.enabled': [true, false],
  'registration.virtualServer': [true, false],
  'exposure.type': ['route', 'ingress', 'none'],
  'exposure.tlsSecretName': ['', 'mcp-tls'],
  'networkPolicies.enabled': [true, false],
  'topologySpread.enabled': [true, false],
  'release.createNamespace': [true, false],
  'benchmark.enabled': [true, false],
  'benchmark.preset': ['baseline', 'heavy', 'max', 'custom'],
  'benchmark.workers': [1, 2, 3],
};

/** Combinations the plain synth accepts, drawn with a fixed seed so every run tries the same ones. */
function mixes(count: number, seed: number): { profile: string; sets: string[] }[] {
  let state = seed;
  const random = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];
  const out: { profile: string; sets: string[] }[] = [];
  for (let tries = 0; out.length < count && tries < count * 20; tries++) {
    const profile = pick(PROFILES);
    const sets = Object.entries(MIX)
      .filter(() => random() < 0.35)
      .map(([k, values]) => `${k}=${pick(values)}`);
    if (sets.some((x) => x.startsWith('benchmark.workers'))) sets.push('benchmark.expectWorkers=1');
    try {
      loadValues({ profile, sets });
      out.push({ profile, sets });
    } catch {
      // The schema's cross-field rules refuse this mix; try another.
    }
  }
  return out;
}

describe.each([
  ['helm3', 16, 1],
  ['helm4', 6, 2],
] as const)('%s template with random mixes of toggles', (h, count, seed) => {
  test.each(mixes(count, seed).map((m) => [m.profile, m.sets.join(' '), m] as const))('%s %s equals the plain synth', (_p, _s, m) => {
    const o = { valuesFiles: [valuesOf(m.profile)], sets: m.sets };
    expect(byKey(helmTemplate(h, chart, o))).toEqual(byKey(plain(m.profile, o)));
  });
});

describe('hooks', () => {
  const rendered = () => byKey(helmTemplate('helm4', chart, { valuesFiles: [valuesOf('kind')] }));

  test('the migration Job and the ConfigMaps it reads are release objects for Helm, PreSync hooks (ConfigMaps first) for ArgoCD', () => {
    const objects = rendered();
    const job = Object.values(objects).find((o: any) => o.kind === 'Job' && o.metadata.name.includes('-migrate-'));
    const a = job.metadata.annotations;
    // No Helm hook: `helm install --wait` waits for gateway pods that wait for the migration, so it must start with
    // the release rather than after the wait (post-install) or before the database exists (pre-install).
    expect(a['helm.sh/hook']).toBeUndefined();
    expect(a['argocd.argoproj.io/hook']).toBeDefined();
    for (const name of ['mcp-stack-gateway', 'mcp-stack-gateway-plugins']) {
      const cm = objects[`ConfigMap/${name}`].metadata.annotations;
      // Not Helm hooks: Helm creates them before post-install hooks, keeps them across upgrades, restores them on
      // rollback and removes them on uninstall.
      expect(cm['helm.sh/hook']).toBeUndefined();
      expect(cm['argocd.argoproj.io/hook']).toBe(a['argocd.argoproj.io/hook']);
      expect(Number(cm['argocd.argoproj.io/sync-wave'] ?? 0)).toBeLessThan(Number(a['argocd.argoproj.io/sync-wave'] ?? 0));
    }
  });

  test('an upgrade names the migration Job after the revision, so each upgrade runs a fresh one', () => {
    const install = helmTemplate('helm3', chart, { valuesFiles: [valuesOf('kind')] }).find((o) => o.kind === 'Job' && o.metadata.name.includes('-migrate-'));
    const upgrade = helmTemplate('helm3', chart, { valuesFiles: [valuesOf('kind')], extraArgs: ['--is-upgrade'] }).find((o) => o.kind === 'Job' && o.metadata.name.includes('-migrate-'));
    expect(upgrade.metadata.name).toBe(`${install.metadata.name}-r1`);
    expect(upgrade.spec).toEqual(install.spec);
  });

  test('the registration Job runs after install and upgrade', () => {
    const job = Object.values(rendered()).find((o: any) => o.kind === 'Job' && o.metadata.name.includes('-register-'));
    expect(job.metadata.annotations['helm.sh/hook']).toBe('post-install,post-upgrade');
    expect(job.metadata.annotations['argocd.argoproj.io/hook']).toBe('PostSync');
  });
});

describe('the output gate', () => {
  test.each(PROFILES)('passes the helm-rendered %s profile', (profile) => {
    const gate = require('../../lib/gate') as typeof import('../../lib/gate');
    const { gatePolicy } = require('../../lib/cli/gate') as typeof import('../../lib/cli/gate');
    const docs = helmTemplateDocs('helm3', chart, { valuesFiles: [valuesOf(profile)] });
    const report = gate.validateDocuments(docs, { policy: gatePolicy(loadValues({ profile })) });
    expect(report.errors === 0 ? '' : gate.formatReport(report)).toBe('');
  });
});
