/**
 * The package as users get it: `npm pack` holds the compiled constructs with their types and the assets they read,
 * and nothing else; the example app (examples/gateway-with-own-postgres) installs the packed archive next to cdk8s
 * from the registry, type-checks against its declarations and synthesizes with plain `cdk8s synth`. What it writes
 * passes the output gate and, on a real API server, applies with every pod admitted under `restricted`.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { gateFindingsOf } from './constructs/support';
import { describeCluster, suiteControlPlane } from './cluster/control-plane';
import { eventually, failedCreates, podCount, serverSideApply } from './cluster/support';
import { tempDir } from './support';

const ROOT = join(__dirname, '..');
const EXAMPLE = join(ROOT, 'examples', 'gateway-with-own-postgres');
const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

let archive: string;
let files: string[];
let app: string;
let objects: any[];

beforeAll(() => {
  const packed = tempDir('pack');
  const [result] = JSON.parse(npm(['pack', '--json', '--pack-destination', packed], ROOT));
  archive = join(packed, result.filename);
  files = (result.files as { path: string }[]).map((f) => f.path).sort();
  app = join(tempDir('example'), 'app');
  cpSync(EXAMPLE, app, { recursive: true });
  npm(['install', '--prefer-offline', '--no-audit', '--no-fund', archive], app);
  execFileSync('npx', ['--no-install', 'cdk8s', 'synth'], { cwd: app, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  objects = (loadAll(readFileSync(join(app, 'dist', 'team-a-gateway.k8s.yaml'), 'utf8')) as any[]).filter(Boolean);
}, 300_000);
// `npm pack` compiles into pkg/ of the checkout; it is a build product of this test.
afterAll(() => rmSync(join(ROOT, 'pkg'), { recursive: true, force: true }));

describe('npm pack', () => {
  test('holds the compiled constructs with their declarations, the assets, the README and package.json only', () => {
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE', 'pkg/lib/index.js', 'pkg/lib/index.d.ts', 'pkg/lib/constructs/gateway.d.ts', 'assets/registration/register.py']));
    expect(files.filter((f) => !/^(pkg\/(lib|profiles|imports)\/.+\.(js|d\.ts)|assets\/.+|README\.md|LICENSE|package\.json)$/.test(f))).toEqual([]);
    // Nothing of the command line, the gate, the chart generator or the tests: the constructs need none of it.
    expect(files.filter((f) => /^pkg\/lib\/(cli|gate|helm)\/|test\//.test(f))).toEqual([]);
  });

  test('the entry point resolves from an app that installed the archive, with every construct the README names', () => {
    const exported = execFileSync(process.execPath, ['-e', "console.log(Object.keys(require('mcp-stack-cdk8s')).sort().join(' '))"], { cwd: app, encoding: 'utf8' });
    for (const name of ['Gateway', 'MigrationJob', 'RegistrationJob', 'NginxProxy', 'PgoPostgres', 'StandalonePostgres', 'ExternalPostgres', 'Redis', 'FastTimeServer', 'LocustBenchmark', 'Exposure', 'McpTenant', 'McpStack', 'StackContext', 'loadValues']) {
      expect(exported.split(/\s+/)).toContain(name);
    }
  });
});

describe('the example app, synthesized by `cdk8s synth` from the packed package', () => {
  const names = () => objects.map((o) => `${o.kind}/${o.metadata.name}`);

  test('the gateway, its migration and Redis in the team namespace, on the team’s own Postgres, no Secret written', () => {
    expect(names()).toEqual(expect.arrayContaining(['Namespace/team-a-mcp', 'ServiceAccount/team-a-workload', 'StatefulSet/team-a-redis', 'Deployment/team-a-gateway']));
    expect(names().some((n) => /^Job\/team-a-migrate-[0-9a-f]{8}$/.test(n))).toBe(true);
    expect(objects.filter((o) => o.kind === 'Secret' || /postgres/i.test(o.metadata.name))).toEqual([]);
    const gateway = objects.find((o) => o.kind === 'Deployment');
    expect(gateway.spec.replicas).toBe(2);
    const env = gateway.spec.template.spec.containers[0].env;
    expect(env.find((e: any) => e.name === 'PGPASSWORD').valueFrom.secretKeyRef).toEqual({ name: 'team-a-postgres', key: 'password' });
    expect(env.find((e: any) => e.name === 'DATABASE_URL').value).toMatch(/\?sslmode=require$/);
  });

  test('passes the output gate, given the Secrets the team keeps', () => {
    expect(gateFindingsOf(objects, ['Secret/team-a-mcp/team-a-postgres', 'Secret/team-a-mcp/team-a-gateway', 'Secret/team-a-mcp/team-a-redis'])).toEqual([]);
  });

  describeCluster()('on a real API server', () => {
    const controlPlane = suiteControlPlane();

    test('applies, and every pod the controllers make is admitted under restricted', async () => {
      const cp = controlPlane();
      serverSideApply(cp, readFileSync(join(app, 'dist', 'team-a-gateway.k8s.yaml'), 'utf8'));
      expect(cp.kubectlOk(['get', 'namespace', 'team-a-mcp', '-o', 'jsonpath={.metadata.labels.pod-security\\.kubernetes\\.io/enforce}'])).toBe('restricted');
      // Redis (1), the gateway (2) and the migration Job (1).
      expect(await eventually(() => podCount(cp, 'team-a-mcp') >= 4, 60_000)).toBe(true);
      expect(failedCreates(cp, 'team-a-mcp')).toEqual([]);
    }, 120_000);
  });
});
