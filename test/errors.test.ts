/**
 * Every class of failure a user can meet on the command line, as users run it (the compiled program in a child
 * process): each test triggers it, reads the whole message and checks the output folder byte for byte.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { tree } from './support';

const ROOT = join(__dirname, '..');
const MAIN = join(ROOT, 'build', 'main.js');
const made: string[] = [];
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tmp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-stack-errors-'));
  made.push(dir);
  return dir;
}

function run(args: string[], options: { cwd?: string; env?: Record<string, string>; input?: string } = {}) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd: options.cwd ?? ROOT, encoding: 'utf8', env: { ...process.env, ...options.env }, input: options.input, maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every file under a folder, hidden ones included, with its content. */
const snapshot = tree;

/** A folder with a previous kind output, and what it held; bad input must leave it exactly so. */
function withPreviousOutput(): { work: string; out: string; before: Record<string, string> } {
  const work = tmp();
  const out = join(work, 'out');
  expect(run(['synth', '--out', out, '--no-validate']).code).toBe(0);
  return { work, out, before: snapshot(work) };
}

/** The folder holds what it held before, besides the input file the test wrote into it. */
function expectAsBefore(work: string, before: Record<string, string>, input: string): void {
  const after = snapshot(work);
  delete after[input];
  expect(after).toEqual(Object.fromEntries(Object.entries(before).filter(([path]) => path !== input)));
}

function file(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const NO_STACK = /\n\s+at .*:\d+:\d+\)?\n/;

beforeAll(() => {
  if (!existsSync(MAIN)) throw new Error('build/main.js is missing: run `npm test` (it compiles first) or `npm run build`');
});

describe('help', () => {
  test('the top level lists every command, examples and the exit codes', () => {
    for (const args of [['--help'], ['-h'], ['help']]) {
      const r = run(args);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      for (const c of ['synth', 'secrets', 'validate', 'check', 'diff', 'schema', 'cdk8s']) expect(r.stdout).toMatch(new RegExp(`^  ${c} +\\S`, 'm'));
      expect(r.stdout).toContain('examples:\n  npm run synth -- --profile ocp');
      expect(r.stdout).toContain('3 the environment refused');
    }
  });

  test.each([
    ['synth', ['--profile VALUE', '(default kind)', '--set-string VALUE', 'mcp-stack synth --profile ocp']],
    ['secrets', ['--from VALUE', '(default kind)', 'mcp-stack secrets --profile kind | kubectl apply -f -']],
    ['validate', ['--profile NAME', 'PATH defaults to dist/kind', 'mcp-stack validate --profile ocp out/ocp']],
    ['check', ['--dist VALUE', '(default dist)', 'mcp-stack check']],
    ['diff', ['--against VALUE', '(default kind)', 'mcp-stack diff --profile ocp --against main']],
    ['schema', ['--help', 'mcp-stack schema > values.schema.json']],
    ['cdk8s', ['CDK8S_OUTDIR', 'MCP_STACK_PROFILE', 'cdk8s synth --app']],
  ])('%s --help: flags, defaults and an example', (command, expected) => {
    const r = run([command, '--help']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: /);
    for (const text of expected) expect(r.stdout).toContain(text);
  });
});

describe('surprises refused', () => {
  test('a stray positional argument, an empty --out and a values file choosing the profile: every problem, nothing written', () => {
    const { work, out, before } = withPreviousOutput();
    const values = file(tmp(), 'values.yaml', 'profile: ocp\ngateway:\n  replicas: 2\n');
    const r = run(['synth', 'ocp', '--out=', '--values', values]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      [
        'invalid input: 3 problems',
        "  - ocp: unexpected argument: 'synth' takes only flags (--profile, --all, --out, --values, --set, --set-string, --tenants, --format, --with-benchmark, --stdout, --previous, --accept-one-way-doors, --no-validate, --help)",
        '  - --out: needs a non-empty value (received "")',
        `  - profile: cannot be set in a values file; choose the profile with --profile (received "ocp") [from ${values}]`,
        '',
      ].join('\n'),
    );
    expect(snapshot(work)).toEqual(before);
    expect(readdirSync(out)).toEqual(['kind']);
  });

  test('schema refuses unknown flags and arguments', () => {
    const r = run(['schema', '--out', 'x', 'extra']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      "invalid arguments for 'schema': 3 problems\n  - --out: unknown flag for 'schema'; allowed: --help\n" +
        "  - x: unexpected argument: 'schema' takes only flags (--help)\n  - extra: unexpected argument: 'schema' takes only flags (--help)\n",
    );
  });

  test('an unknown command', () => {
    const r = run(['render']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("mcp-stack: unknown command 'render'; allowed: synth, secrets, validate, check, diff, schema, cdk8s (mcp-stack --help)\n");
  });

  test('a __proto__ key in a values file is refused as unknown, not merged into the prototype', () => {
    const { work, before } = withPreviousOutput();
    const values = file(work, 'proto.yaml', '__proto__:\n  polluted: true\ngateway:\n  __proto__:\n    replicas: 9\n');
    const r = run(['synth', '--out', join(work, 'out'), '--values', values]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('  - __proto__: unknown key; allowed here: ');
    expect(r.stderr).toContain('  - gateway.__proto__: unknown key; allowed here: ');
    expectAsBefore(work, before, 'proto.yaml');
  });

  test('a key that is a list or a mapping is refused in the one message, with no warning from the YAML library', () => {
    const { work, before } = withPreviousOutput();
    const values = file(work, 'keys.yaml', '? [ x ]\n: 1\ngateway:\n  ? { a: 1 }\n  : 2\n');
    const r = run(['synth', '--out', join(work, 'out'), '--values', values]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain('Warning');
    expect(r.stderr.split('\n')[0]).toBe('invalid input: 2 problems');
    expect(r.stderr).toContain('  - [ x ]: unknown key; allowed here: ');
    expect(r.stderr).toContain('  - gateway.{ a: 1 }: unknown key; allowed here: ');
    expectAsBefore(work, before, 'keys.yaml');
  });

  test('keys an earlier release accepted are refused with why they went away and what to do instead', () => {
    const { work, before } = withPreviousOutput();
    const old = [
      'gateway:',
      '  sessionPool: { enabled: true, maxPerKey: 200 }',
      '  plugins:',
      '    modes: { UnifiedPDPPlugin: enforce, OutputLengthGuardPlugin: permissive, RateLimiterPlugin: enforce }',
      '    settings: { outputLengthGuard: { maxChars: 15000, strategy: truncate } }',
      '',
    ].join('\n');
    const values = file(work, 'old.yaml', old);
    const r = run(['synth', '--out', join(work, 'out'), '--values', values]);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('invalid input: 4 problems');
    const shipped = 'RateLimiterPlugin, PIIFilterPlugin, SecretsDetectionPlugin, EncodedExfilDetectorPlugin, RetryWithBackoffPlugin';
    expect(r.stderr).toContain(
      '  - gateway.sessionPool: removed: ContextForge v1.0.7, the gateway release this stack deploys, has no MCP_SESSION_POOL_* settings and ignored them, so these values never took effect; delete the block; nothing replaces it',
    );
    for (const plugin of ['UnifiedPDPPlugin', 'OutputLengthGuardPlugin']) {
      expect(r.stderr).toContain(
        `  - gateway.plugins.modes.${plugin}: removed: ContextForge v1.0.7, the gateway release this stack deploys, does not ship ${plugin}, so the gateway skipped it at startup and it never ran; delete the key; the plugins this release ships: ${shipped}`,
      );
    }
    expect(r.stderr).toContain(
      '  - gateway.plugins.settings.outputLengthGuard: removed: it configured OutputLengthGuardPlugin, which ContextForge v1.0.7, the gateway release this stack deploys, does not ship; delete the block',
    );
    expect(r.stderr).not.toMatch(/unknown key/);
    expect(r.stderr).not.toMatch(NO_STACK);
    expectAsBefore(work, before, 'old.yaml');
  });
});

describe('every problem at once', () => {
  test('flags, a values file, --set, tenants and cross-field rules in one message, each with its source', () => {
    const { work, before } = withPreviousOutput();
    const values = file(work, 'values.yaml', 'gateway:\n  replicaz: 3\n  hpa:\n    enabled: true\n    minReplicas: 9\n    maxReplicas: 3\n');
    const tenants = file(work, 'tenants.yaml', 'tenants:\n  - name: Bad_Name\n    servers:\n      - name: fetch\n        image: { repository: evil.example/fetch, tag: "1" }\n        transport: stdio\n');
    const r = run(['synth', '--out', join(work, 'out'), '--bogus', '--values', values, '--tenants', tenants, '--set', 'nginx.replicas=x']);
    expect(r.code).toBe(2);
    const lines = r.stderr.split('\n');
    expect(lines[0]).toMatch(/^invalid input: \d+ problems$/);
    expect(r.stderr).toContain("  - --bogus: unknown flag for 'synth'");
    expect(r.stderr).toContain(`  - gateway.replicaz: unknown key; allowed here: `);
    expect(r.stderr).toContain(`(received 3) [from ${values}]`);
    // A type error elsewhere does not hide the cross-field rule.
    expect(r.stderr).toContain(`  - gateway.hpa.minReplicas: must be <= gateway.hpa.maxReplicas (3) (received 9) [from ${values}]`);
    expect(r.stderr).toContain('  - nginx.replicas: Invalid input: expected number, received string (received "x") [from --set nginx.replicas]');
    expect(r.stderr).toContain(`  - tenants.items.0.name: must be a DNS-1123 label (lower-case letters, digits and '-') (received "Bad_Name") [from ${tenants}]`);
    expect(r.stderr).toMatch(/tenants\.items\.0\.servers\.0\.image\.repository: .*registryAllowList/);
    expect(r.stderr).not.toMatch(NO_STACK);
    expect(snapshot(work)).toMatchObject(before);
  });

  test('--all names the profile of a problem only some profiles have', () => {
    const work = tmp();
    // On ocp the platform is openshift, so a route is allowed there but not on kind or production.
    const r = run(['synth', '--all', '--out', join(work, 'out'), '--set', 'exposure.type=route', '--set', 'gateway.replicas=0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('  - gateway.replicas: Too small: expected number to be >=1 (received 0) [from --set gateway.replicas]');
    expect(r.stderr).not.toContain('  - ocp: gateway.replicas');
    expect(r.stderr).toContain("  - kind: exposure.type: 'route' needs platform 'openshift'");
    expect(r.stderr).toContain("  - production: exposure.type: 'route' needs platform 'openshift'");
    expect(r.stderr).not.toContain("  - ocp: exposure.type: 'route' needs platform");
    expect(readdirSync(work)).toEqual([]);
  });
});

describe('no secret in any message', () => {
  const SECRET = 'Zq8-s3cr3t-VALUE-9f7Kx2LmPq4W';

  test('a credential in gateway.extraConfig, by --set and by a values file, is never shown', () => {
    const work = tmp();
    const values = file(work, 'values.yaml', `gateway:\n  extraConfig:\n    AUTH_ENCRYPTION_SECRET: "${SECRET}"\n`);
    const r = run(['synth', '--out', join(work, 'out'), '--values', values, '--set', `gateway.extraConfig.JWT_SECRET_KEY=${SECRET}`, '--set', `gateway.extraConfig.bad-key=${SECRET}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      '  - gateway.extraConfig.JWT_SECRET_KEY: is a credential: it belongs in the gateway Secret, not in the ConfigMap (received a value, not shown: it may be a credential) [from --set gateway.extraConfig.JWT_SECRET_KEY]',
    );
    expect(r.stderr).toContain(`  - gateway.extraConfig.AUTH_ENCRYPTION_SECRET: is a credential: it belongs in the gateway Secret, not in the ConfigMap (received a value, not shown: it may be a credential) [from ${values}]`);
    expect(r.stderr).toContain('  - --set: must look like path.to.key=value (dotted keys of letters, digits and _) (received "gateway.extraConfig.bad-key")');
    expect(r.stderr).not.toContain(SECRET);
    expect(r.stdout).toBe('');
  });

  test("a tenant's env value and an inline secrets block are never shown", () => {
    const work = tmp();
    const tenants = file(
      work,
      'tenants.yaml',
      `tenants:\n  - name: acme\n    servers:\n      - name: gitea\n        image: { repository: docker.io/gitea/gitea-mcp-server, tag: "0.3.0" }\n        transport: stdio\n` +
        `        env:\n          - { name: GITEA_ACCESS_TOKEN, value: "${SECRET}" }\n        secrets:\n          GITEA_TOKEN: "${SECRET}"\n`,
    );
    const r = run(['synth', '--out', join(work, 'out'), '--tenants', tenants]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('tenants.items.0.servers.0.secrets: ');
    expect(r.stderr).toContain('(received a value, not shown: it may be a credential)');
    expect(r.stderr).not.toContain(SECRET);
  });

  test('secrets --from: YAML errors name the line and column, never the text there; weak values are not echoed', () => {
    const work = tmp();
    const broken = file(work, 'broken.yaml', `mcp-stack-gateway:\n  JWT_SECRET_KEY: "${SECRET}\n  other: [${SECRET}\n`);
    const r = run(['secrets', '--profile', 'kind', '--from', broken]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^invalid secrets file: 1 problem\n {2}- --from: not valid YAML at line \d+, column \d+: .+ \(received ".*broken\.yaml"\)\n$/);
    expect(r.stderr).not.toContain(SECRET.slice(0, 8));
    const weak = file(work, 'weak.yaml', 'mcp-stack-gateway:\n  JWT_SECRET_KEY: "{{ .Values.jwt }}-padding-padding-padding"\n  AUTH_ENCRYPTION_SECRET: "${AUTH_KEY_FROM_THE_ENVIRONMENT_XYZ}"\n  BASIC_AUTH_PASSWORD: "$(cat /run/secrets/pw)"\n  PLATFORM_ADMIN_PASSWORD: "changeme-changeme"\n');
    const w = run(['secrets', '--profile', 'kind', '--from', weak]);
    expect(w.code).toBe(2);
    expect(w.stderr).toContain('mcp-stack-gateway.JWT_SECRET_KEY: refused: looks like a template expression ({{ ... }}), not a value: expand it before passing it');
    expect(w.stderr).toContain('mcp-stack-gateway.AUTH_ENCRYPTION_SECRET: refused: looks like an unexpanded variable (${...})');
    expect(w.stderr).toContain('mcp-stack-gateway.BASIC_AUTH_PASSWORD: refused: looks like an unexpanded command ($(...))');
    expect(w.stderr).toContain("mcp-stack-gateway.PLATFORM_ADMIN_PASSWORD: refused: looks like a placeholder (contains 'changeme')");
    for (const text of ['.Values.jwt', 'AUTH_KEY_FROM', '/run/secrets/pw']) expect(w.stderr).not.toContain(text);
    expect(w.stdout).toBe('');
  });
});

describe('bounded parsing', () => {
  test('a YAML alias bomb is refused at once', () => {
    const work = tmp();
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
    const bomb = file(work, 'bomb.yaml', `${levels.join('\n')}\n`);
    expect(statSync(bomb).size).toBeLessThan(700);
    const started = Date.now();
    const r = run(['synth', '--out', join(work, 'out'), '--values', bomb]);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`invalid input: 1 problem\n  - --values: aliases expand too much (more than 100 alias uses, weighted by size); write the values out or use fewer aliases (received "${bomb}")\n`);
    expect(readdirSync(work)).toEqual(['bomb.yaml']);
  });

  test('deep nesting, in block and flow style', () => {
    const work = tmp();
    const flow = file(work, 'flow.yaml', `a: ${'['.repeat(100_000)}\n`);
    const block = file(work, 'block.yaml', Array.from({ length: 80 }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n') + ' 1\n');
    const r = run(['synth', '--values', flow, '--values', block]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`  - --values: nested too deeply to read; at most 64 levels are accepted (received "${flow}")`);
    expect(r.stderr).toContain(`  - --values: nested 65 levels deep; at most 64 are accepted (received "${block}")`);
    expect(r.stderr).not.toMatch(NO_STACK);
  });

  test('a file over 16 MiB is refused before it is read', () => {
    const work = tmp();
    const big = file(work, 'big.yaml', '');
    truncateSync(big, 17 * 1024 * 1024);
    const r = run(['synth', '--tenants', big]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`invalid input: 1 problem\n  - --tenants: file is larger than 16 MiB (17825792 bytes); split it or trim it (received "${big}")\n`);
  });

  test('a million-character value and fifty thousand unknown keys make a short message', () => {
    const work = tmp();
    const keys = Array.from({ length: 50_000 }, (_, i) => `  key${i}: ${i}`).join('\n');
    const values = file(work, 'many.yaml', `gateway:\n  logLevel: "${'A'.repeat(1_000_000)}"\nnginx:\n${keys}\n`);
    const r = run(['synth', '--values', values]);
    expect(r.code).toBe(2);
    expect(r.stderr.length).toBeLessThan(20_000);
    expect(r.stderr).toMatch(/^invalid input: 50001 problems\n/);
    expect(r.stderr).toContain(`(received "${'A'.repeat(119)}... (1000002 characters in all))`);
    expect(r.stderr).toContain('  ... and 49951 more problems of the same input\n');
  });

  test('a ten-thousand-character key is cut in the message', () => {
    const r = run(['synth', '--set', `gateway.${'k'.repeat(10_000)}=1`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`  - gateway.${'k'.repeat(192)}... (10008 characters in all): unknown key`);
    expect(r.stderr).toContain(`(received 1) [from --set gateway.${'k'.repeat(186)}... (10014 characters in all)]`);
    expect(r.stderr.length).toBeLessThan(2_000);
  });

  test('invisible characters in a received value are spelled out', () => {
    const r = run(['synth', '--set', 'gateway.logLevel=IN\u200bFO\u202e']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('(received "IN\\u200bFO\\u202e")');
  });
});

describe('Helm-compatible values', () => {
  test('merge keys, a comment-only file and --set-string', () => {
    const work = tmp();
    const merged = file(work, 'merged.yaml', 'nginx:\n  replicas: 2\n  pdb: &pdb\n    enabled: true\n    minAvailable: 1\nfastTimeServer:\n  replicas: 2\n  pdb:\n    <<: *pdb\n');
    const comments = file(work, 'comments.yaml', '# nothing to set yet\n# gateway:\n#   replicas: 3\n');
    const r = run(['synth', '--out', join(work, 'out'), '--no-validate', '--values', merged, '--values', comments, '--set-string', 'images.gateway.tag=1.10']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const docs = loadAll(readFileSync(join(work, 'out', 'kind', '20-platform.yaml'), 'utf8')) as any[];
    const pdbs = docs.filter((d) => d.kind === 'PodDisruptionBudget').map((d) => [d.metadata.name, d.spec.minAvailable]);
    expect(pdbs).toEqual(expect.arrayContaining([['mcp-stack-nginx', 1], [expect.stringContaining('fast-time'), 1]]));
    const gateway = docs.find((d) => d.kind === 'Deployment' && d.metadata.name === 'mcp-stack-gateway');
    expect(gateway.spec.template.spec.containers[0].image).toMatch(/:1\.10$/);
    // Without --set-string the same text is the number 1.1, as with Helm's --set.
    const n = run(['synth', '--stdout', '--no-validate', '--set', 'images.gateway.tag=1.10']);
    expect(n.code).toBe(2);
    expect(n.stderr).toContain('images.gateway.tag: Invalid input: expected string, received number (received 1.1) [from --set images.gateway.tag]');
  });
});

describe('validate', () => {
  test('a file it cannot read: exit 3, a plain message', () => {
    const work = tmp();
    expect(run(['synth', '--out', work, '--no-validate']).code).toBe(0);
    const file20 = join(work, 'kind', '20-platform.yaml');
    chmodSync(work, 0o755);
    chmodSync(file20, 0o000);
    // Root reads anything: run as nobody then, as an ordinary user would be.
    const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const r = spawnSync(process.execPath, [MAIN, 'validate', join(work, 'kind')], { cwd: '/', encoding: 'utf8', ...asUser });
    chmodSync(file20, 0o644);
    expect(r.stderr).toBe(`validate: cannot read ${file20}: permission denied\n`);
    expect(r.status).toBe(3);
  });
});

describe('internal errors and pipes', () => {
  test('a reader that goes away early (| head) is no error', () => {
    const r = spawnSync('sh', ['-c', `${process.execPath} ${MAIN} synth --stdout --no-validate | head -c 10 > /dev/null; echo "exit=$?"`], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('exit=0\n');
  });

  test('a bug is one line and exit 4; MCP_STACK_DEBUG=1 adds the stack trace', () => {
    // An internal error cannot be caused from the command line on purpose; `report` is the one place that turns any
    // thrown value into the message, so it is called directly here.
    const script = `const { report } = require(${JSON.stringify(MAIN)}); process.exitCode = report(new TypeError('boom\\nsecond line'));`;
    const plain = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, MCP_STACK_DEBUG: '' } });
    expect(plain.status).toBe(4);
    expect(plain.stderr).toBe('mcp-stack: internal error: boom. Set MCP_STACK_DEBUG=1 to see the stack trace, and please report it.\n');
    const debug = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, MCP_STACK_DEBUG: '1' } });
    expect(debug.status).toBe(4);
    expect(debug.stderr).toMatch(/^mcp-stack: internal error: boom\nTypeError: boom\nsecond line\n\s+at /);
  });
});
