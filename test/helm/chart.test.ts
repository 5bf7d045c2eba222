/**
 * The chart as files and as Helm sees them: Chart.yaml, one values file per profile, a strict schema that Helm 3
 * and Helm 4 both enforce with clear messages, documented values, lint and package on both majors.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { load } from 'js-yaml';
import { chartFilesOnDisk, helmChartDir } from '../../lib/cli/helm';
import { helmChart, type HelmChart } from '../../lib/helm';
import { chartValues } from '../../lib/helm/values-files';
import { loadValues, type InputError } from '../../profiles/loader';
import { HELM_NAMES, helm, KUBE_VERSION, PROFILES, requireHelm, ROOT, tempDir, writeChart } from './support';

let chart: HelmChart;
let dir: string;

beforeAll(() => {
  requireHelm();
  chart = helmChart();
  dir = writeChart(chart.files);
});

const file = (rel: string) => chart.files.get(rel)!;

describe('files', () => {
  test('a chart with a values file per profile, a schema, helpers, notes and one template per unit', () => {
    const names = [...chart.files.keys()].sort();
    expect(names).toEqual(
      expect.arrayContaining([
        'Chart.yaml',
        'values.yaml',
        'values.schema.json',
        'values-kind.yaml',
        'values-ocp.yaml',
        'values-production.yaml',
        'templates/_helpers.tpl',
        'templates/NOTES.txt',
        'templates/00-namespace.yaml',
        'templates/10-database.yaml',
        'templates/20-platform.yaml',
        'templates/30-network-policies.yaml',
        'templates/40-benchmark.yaml',
      ]),
    );
  });

  test('Chart.yaml: apiVersion v2, the project version, the gateway version, Kubernetes 1.28 or newer', () => {
    const c = load(file('Chart.yaml')) as any;
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(c).toMatchObject({ apiVersion: 'v2', name: 'mcp-stack', type: 'application', version: pkg.version, kubeVersion: '>=1.28.0-0' });
    expect(c.appVersion).toBe(loadValues({ profile: 'kind' }).images.gateway.tag);
  });

  test.each(PROFILES)('values-%s.yaml holds that profile\'s complete values, without release name and namespace', (profile) => {
    const values = load(file(`values-${profile}.yaml`)) as any;
    expect(values).toEqual(chartValues(loadValues({ profile })));
    expect(values.release).not.toHaveProperty('name');
    expect(values.release).not.toHaveProperty('namespace');
  });

  test('values.yaml is the kind profile, every key documented by a comment above it', () => {
    expect(load(file('values.yaml'))).toEqual(chartValues(loadValues({ profile: 'kind' })));
    const schema = JSON.parse(file('values.schema.json'));
    const lines = file('values.yaml').split('\n');
    const stack: { indent: number; key: string }[] = [];
    const undocumented: string[] = [];
    lines.forEach((line, i) => {
      const m = /^(\s*)([A-Za-z_][\w]*):/.exec(line);
      if (!m) return;
      while (stack.length && stack[stack.length - 1].indent >= m[1].length) stack.pop();
      stack.push({ indent: m[1].length, key: m[2] });
      let node = schema;
      for (const { key } of stack) node = node?.properties?.[key];
      // Only keys of the schema; entries of a map value (Postgres parameters) are data.
      if (node && !/^\s*#/.test(lines[i - 1] ?? '')) undocumented.push(stack.map((x) => x.key).join('.'));
    });
    expect(undocumented).toEqual([]);
    expect(file('values.yaml')).toContain('# Gunicorn worker processes per pod');
  });

  test('templates never hard-code a namespace or an object name', () => {
    for (const [rel, text] of chart.files) {
      if (!rel.startsWith('templates/') || rel.endsWith('.tpl') || rel.endsWith('.txt')) continue;
      expect(text).not.toMatch(/^\s*namespace: (?!\{\{ \.Release\.Namespace)/m);
      expect(text).not.toMatch(/^\s*name: mcp-stack-/m);
    }
  });

  test('generation is deterministic: `synth --format helm`, generating again in its own process, writes byte-identical files', () => {
    const out = tempDir('helm-cli');
    // The cache off: the command generates the chart again instead of reading what this process generated.
    execFileSync(join(ROOT, 'bin', 'mcp-stack'), ['synth', '--format', 'helm', '--out', out], { cwd: ROOT, env: { ...process.env, MCP_STACK_CACHE: 'off' }, stdio: 'pipe' });
    // On disk the chart's .helmignore also names the writer's ownership mark, so `helm package` leaves it out.
    const onDisk = chartFilesOnDisk(chart.files);
    expect(onDisk.get('.helmignore')).toContain(chart.files.get('.helmignore'));
    expect(onDisk.get('.helmignore')).toMatch(/^\.mcp-stack-output$/m);
    for (const [rel, text] of onDisk) expect([rel, readFileSync(join(helmChartDir(out), rel), 'utf8')]).toEqual([rel, text]);
  });
});

describe('values.schema.json', () => {
  const schema = () => JSON.parse(file('values.schema.json'));

  test('is draft-07, generated from the profile schema, strict everywhere, without release name and namespace', () => {
    const s = schema();
    expect(s.$schema).toBe('http://json-schema.org/draft-07/schema#');
    const loose: string[] = [];
    const visit = (node: any, path: string) => {
      if (!node || typeof node !== 'object') return;
      if (node.type === 'object' && node.properties && node.additionalProperties !== false) loose.push(path);
      for (const [k, v] of Object.entries<any>(node.properties ?? {})) visit(v, `${path}.${k}`);
      if (node.items) visit(node.items, `${path}[]`);
    };
    visit(s, '');
    expect(loose).toEqual([]);
    expect(Object.keys(s.properties.release.properties)).toEqual(['createNamespace']);
    expect(s.properties.gateway.properties.replicas).toMatchObject({ type: 'integer', minimum: 1 });
  });

  test.each(PROFILES)('accepts values-%s.yaml', (profile) => {
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema());
    expect(validate(load(file(`values-${profile}.yaml`))) ? [] : validate.errors).toEqual([]);
  });
});

describe.each(HELM_NAMES)('%s', (h) => {
  test.each(PROFILES)('lint --strict passes with values-%s.yaml', (profile) => {
    const r = helm(h, ['lint', '--strict', '--kube-version', KUBE_VERSION, dir, '-f', join(dir, `values-${profile}.yaml`)]);
    expect(r.stderr + r.stdout).toContain('0 chart(s) failed');
    expect(r.code).toBe(0);
  });

  test('package writes mcp-stack-<version>.tgz', () => {
    const out = tempDir('package');
    const r = helm(h, ['package', dir, '-d', out]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/mcp-stack-\d+\.\d+\.\d+\.tgz/);
    expect(r.code).toBe(0);
  });

  // Helm 3 and Helm 4 word schema errors differently ("gateway.replicas: Invalid type" against
  // "at '/gateway/replicas': got string, want integer"); the field and the gist are in both.
  const field = (path: string) => new RegExp(h === 'helm3' ? path.replace(/\./g, '\\.') : `/${path.replace(/\./g, '/')}`);
  const rejections: [string, string, RegExp, RegExp][] = [
    ['a wrong type', 'gateway.replicas=three', /gateway.replicas/, /integer/],
    ['an unknown key', 'gateway.replicaz=3', /gateway/, /replicaz/],
    ['replicas below 1', 'gateway.replicas=0', /gateway.replicas/, /1/],
    ['a bad enum value', 'exposure.type=loadbalancer', /exposure.type/, /route/],
    ['a release name in the values (Helm owns it)', 'release.name=other', /release/, /name/],
    ["the 'latest' tag", 'images.gateway.tag=latest', /images.gateway.tag/, /not/],
    ['tenants (their own output, not this chart)', 'tenants.items[0].name=acme', /tenants.items/, /0/],
  ];
  test.each(rejections)('rejects %s with a message naming the field', (_what, set, path, gist) => {
    const r = helm(h, ['template', 'r', dir, '--set', set]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/values don't meet the specifications of the schema/);
    expect(r.stderr).toMatch(field(path.source));
    expect(r.stderr).toMatch(gist);
  });

  test('rejects a release name longer than object names allow', () => {
    const r = helm(h, ['template', 'a-release-name-that-is-far-too-long', dir]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/release name "a-release-name-that-is-far-too-long": must be at most 30 characters/);
  });
});

describe.each(HELM_NAMES)('%s and the cross-field rules of the values', (h) => {
  // Each rule of valuesSchema.superRefine, broken once: the synth and Helm refuse it with the same words.
  const cases: [string, string[]][] = [
    ['ocp', ['platform=kubernetes']],
    ['kind', ['exposure.type=route']],
    ['kind', ['nginx.tls=true']],
    ['kind', ['exposure.host=']],
    ['production', ['gateway.hpa.minReplicas=11']],
    ['ocp', ['gateway.pdb.minAvailable=3']],
    ['ocp', ['nginx.pdb.minAvailable=3']],
    ['kind', ['fastTimeServer.pdb.enabled=true', 'fastTimeServer.pdb.minAvailable=2']],
    ['ocp', ['database.pgo.pgbouncer.minPoolSize=601']],
    ['kind', ['gateway.extraConfig.JWT_SECRET_KEY=not-here']],
    ['kind', ['benchmark.expectWorkers=4']],
    ['kind', ['images.requireDigests=true']],
  ];
  test.each(cases)('%s with %s', (profile, sets) => {
    let problems: string[] = [];
    try {
      loadValues({ profile, sets });
    } catch (e) {
      problems = (e as InputError).problems.map((p) => `${p.path}: ${p.message}`);
    }
    expect(problems.length).toBeGreaterThan(0);
    const r = helm(h, ['template', 'r', dir, '-f', join(dir, `values-${profile}.yaml`), ...sets.flatMap((x) => ['--set', x])]);
    expect(r.code).not.toBe(0);
    for (const p of problems) expect(r.stderr).toContain(p);
  });
});

describe.each(HELM_NAMES)('%s and keys removed since an earlier release', (h) => {
  const session = 'ContextForge v1.0.7, the gateway release this stack deploys, has no MCP_SESSION_POOL_* settings and ignored them, so these values never took effect; delete the block; nothing replaces it';
  const guard = 'removed: it configured OutputLengthGuardPlugin, which ContextForge v1.0.7, the gateway release this stack deploys, does not ship; delete the block';
  const unshipped = (plugin: string) => `ContextForge v1.0.7, the gateway release this stack deploys, does not ship ${plugin}, so the gateway skipped it at startup and it never ran; delete the key`;

  test('the schema refuses each one and prints why it went away and what to do instead', () => {
    const work = tempDir('mcp-stack-removed-');
    const old = join(work, 'old.yaml');
    writeFileSync(old, 'gateway:\n  sessionPool: { enabled: true, maxPerKey: 200 }\n  plugins:\n    modes: { UnifiedPDPPlugin: enforce, OutputLengthGuardPlugin: permissive }\n    settings: { outputLengthGuard: { maxChars: 15000, strategy: truncate } }\n');
    const r = helm(h, ['template', 'r', dir, '-f', old]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/values don't meet the specifications of the schema/);
    expect(r.stderr).toMatch(h === 'helm3' ? /gateway\.sessionPool/ : /\/gateway\/sessionPool/);
    for (const text of [session, unshipped('UnifiedPDPPlugin'), unshipped('OutputLengthGuardPlugin'), guard]) expect(r.stderr).toContain(text);
  });

  test('the validation refuses one even when it holds the text the schema accepts', () => {
    const work = tempDir('mcp-stack-removed-');
    const sneaky = join(work, 'sneaky.yaml');
    writeFileSync(sneaky, `gateway:\n  sessionPool: ${JSON.stringify(`removed: ${session}`)}\n`);
    const r = helm(h, ['template', 'r', dir, '-f', sneaky]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`gateway.sessionPool: removed: ${session}`);
  });
});

describe('NOTES.txt', () => {
  // Helm 3 needs a cluster for `install --dry-run`; Helm 4 renders the notes offline.
  const notes = (values: string, sets: string[] = []) => {
    const r = helm('helm4', ['install', 'rel', dir, '-n', 'ns', '--dry-run=client', '-f', join(dir, values), ...sets.flatMap((s) => ['--set', s])]);
    expect(r.stderr).toBe('');
    return r.stdout.slice(r.stdout.indexOf('NOTES:'));
  };

  test('names the Secrets to create with their keys, how to reach the gateway and how to start the benchmark', () => {
    const kind = notes('values-kind.yaml');
    expect(kind).toContain('rel-gateway: JWT_SECRET_KEY, AUTH_ENCRYPTION_SECRET, BASIC_AUTH_PASSWORD, PLATFORM_ADMIN_PASSWORD');
    expect(kind).toContain('rel-redis: REDIS_PASSWORD');
    expect(kind).toContain('rel-postgres: dbname (= mcp), password, user (= mcp)');
    expect(kind).toContain('http://mcp.localtest.me/');
    expect(kind).toContain('benchmark.enabled=true');
    const ocp = notes('values-ocp.yaml', ['benchmark.enabled=true']);
    expect(ocp).toContain('rel-pg-pguser-mcp is written by the PGO operator');
    expect(ocp).toContain("oc -n ns get route rel-gateway");
    expect(ocp).toContain('create job --from=cronjob/rel-locust-run');
  });
});
