import { buildStack } from '../lib/stack/mcp-stack';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../lib/constructs/core/assets';
import { benchmarkLoad, locustScripts, runSeconds } from '../lib/constructs/locust';
import { defaults } from '../profiles/defaults';
import { containers, find, podSpecs as templatePodSpecs, tempDir, values } from './support';

/**
 * The stack's charts in the order the composition root builds them, with the benchmark unit between the platform
 * and the NetworkPolicies (which are built from every flow declared before them).
 */
function render(profile: string, sets: string[] = [], withBenchmark = true): { benchmark: any[]; all: any[] } {
  const units = buildStack(values(profile, [...sets, `benchmark.enabled=${withBenchmark}`])).units;
  return { benchmark: units.find((u) => u.name === 'benchmark')?.objects ?? [], all: units.flatMap((u) => u.objects) };
}

/** Pod specs of Deployments, Jobs and CronJobs alike. */
function podSpecs(objects: any[]): { owner: string; spec: any }[] {
  const cron = objects
    .filter((o) => o.kind === 'CronJob')
    .map((o) => ({ owner: `CronJob/${o.metadata.name}`, spec: o.spec.jobTemplate.spec.template.spec }));
  return [...templatePodSpecs(objects), ...cron];
}

function allContainers(objects: any[]): { owner: string; container: any }[] {
  const cron = objects
    .filter((o) => o.kind === 'CronJob')
    .flatMap((o) => o.spec.jobTemplate.spec.template.spec.containers.map((c: any) => ({ owner: `CronJob/${o.metadata.name}/${c.name}`, container: c })));
  return [...containers(objects), ...cron];
}

const env = (container: any, name: string) => container.env?.find((e: any) => e.name === name)?.value;
const ids = (objects: any[]) => objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();

const NGINX_HOST = 'http://mcp-stack-nginx.mcp-stack.svc.cluster.local:80';
const GATEWAY_HOST = 'http://mcp-stack-gateway.mcp-stack.svc.cluster.local:80';
const MASTER_FQDN = 'mcp-stack-locust.mcp-stack.svc.cluster.local';

describe('Locust benchmark: objects and wiring', () => {
  const { benchmark } = render('kind', ['benchmark.enabled=true']);
  const master = find(benchmark, 'Deployment', 'mcp-stack-locust-master');
  const workers = find(benchmark, 'Deployment', 'mcp-stack-locust-worker');
  const run = find(benchmark, 'CronJob', 'mcp-stack-locust-run');
  const masterC = master.spec.template.spec.containers[0];
  const workerC = workers.spec.template.spec.containers[0];
  const runC = run.spec.jobTemplate.spec.template.spec.containers[0];

  test('exactly a ConfigMap, a Service, master and worker Deployments, the workers\' PDB and the run CronJob', () => {
    expect(ids(benchmark)).toEqual([
      'ConfigMap/mcp-stack-locust',
      'CronJob/mcp-stack-locust-run',
      'Deployment/mcp-stack-locust-master',
      'Deployment/mcp-stack-locust-worker',
      'PodDisruptionBudget/mcp-stack-locust-worker',
      'Service/mcp-stack-locust',
    ]);
    expect(master.metadata.labels['app.kubernetes.io/component']).toBe('locust-master');
    expect(workers.metadata.labels['app.kubernetes.io/component']).toBe('locust-worker');
  });

  test('the Service exposes web 8089 and ZeroMQ 5557/5558 of the master only', () => {
    const svc = find(benchmark, 'Service', 'mcp-stack-locust');
    expect(svc.spec.ports).toEqual([
      { name: 'web', port: 8089, targetPort: 'web' },
      { name: 'zmq-comm', port: 5557, targetPort: 'zmq-comm' },
      { name: 'zmq-data', port: 5558, targetPort: 'zmq-data' },
    ]);
    expect(svc.spec.selector['app.kubernetes.io/component']).toBe('locust-master');
    expect(masterC.ports).toEqual([
      { name: 'web', containerPort: 8089 },
      { name: 'zmq-comm', containerPort: 5557 },
      { name: 'zmq-data', containerPort: 5558 },
    ]);
  });

  test('one master, restarted (not rolled) so there are never two; probes on its web port', () => {
    expect(master.spec.replicas).toBe(1);
    expect(master.spec.strategy).toEqual({ type: 'Recreate' });
    expect(masterC.args).toEqual(expect.arrayContaining(['--master', '--web-port=8089', '--locustfile=/mnt/locust/locustfile.py']));
    for (const probe of [masterC.readinessProbe, masterC.livenessProbe]) expect(probe.httpGet).toEqual({ path: '/', port: 'web' });
  });

  test('master and workers target the NGINX Service through LOCUST_HOST', () => {
    expect(env(masterC, 'LOCUST_HOST')).toBe(NGINX_HOST);
    expect(env(workerC, 'LOCUST_HOST')).toBe(NGINX_HOST);
  });

  test('without NGINX they target the gateway Service', () => {
    const direct = render('kind', ['benchmark.enabled=true', 'nginx.enabled=false']).benchmark;
    for (const name of ['mcp-stack-locust-master', 'mcp-stack-locust-worker']) {
      expect(env(find(direct, 'Deployment', name).spec.template.spec.containers[0], 'LOCUST_HOST')).toBe(GATEWAY_HOST);
    }
  });

  test('on ocp the load goes to NGINX over plain HTTP inside the cluster, as in the seed', () => {
    const ocp = render('ocp', ['benchmark.enabled=true']).benchmark;
    expect(env(find(ocp, 'Deployment', 'mcp-stack-locust-worker').spec.template.spec.containers[0], 'LOCUST_HOST')).toBe(NGINX_HOST);
  });

  test('workers: replicas = benchmark.workers, connected to the master Service by its full DNS name', () => {
    expect(workers.spec.replicas).toBe(3);
    expect(workerC.args).toEqual(expect.arrayContaining(['--worker', `--master-host=${MASTER_FQDN}`, '--master-port=5557']));
    const five = render('kind', ['benchmark.enabled=true', 'benchmark.workers=5']).benchmark;
    expect(find(five, 'Deployment', 'mcp-stack-locust-worker').spec.replicas).toBe(5);
  });

  test('the MCP server id is optional: empty by default (auto-detected), passed through when set', () => {
    expect(env(workerC, 'MCP_SERVER_ID')).toBe('');
    const set = render('kind', ['benchmark.enabled=true', 'benchmark.mcpServerId=9779b6698cbd4b4995ee04a4fab38737']).benchmark;
    expect(env(find(set, 'Deployment', 'mcp-stack-locust-worker').spec.template.spec.containers[0], 'MCP_SERVER_ID')).toBe('9779b6698cbd4b4995ee04a4fab38737');
  });

  test('the ConfigMap ships the repository files, and pods roll when they change', () => {
    const cm = find(benchmark, 'ConfigMap', 'mcp-stack-locust');
    expect(cm.data).toEqual(locustScripts());
    expect(Object.keys(cm.data).sort()).toEqual(['locustfile.py', 'mint-token.sh', 'run.py', 'start.sh']);
    const sums = [master, workers].map((d) => d.spec.template.metadata.annotations['checksum/config']);
    expect(sums[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(sums[1]).toBe(sums[0]);
  });

  test('the run is a suspended CronJob: nothing starts until a Job is created from it, a failed run is not retried', () => {
    expect(run.spec.suspend).toBe(true);
    expect(run.spec.concurrencyPolicy).toBe('Forbid');
    expect(run.spec.jobTemplate.spec.backoffLimit).toBe(0);
    expect(run.spec.jobTemplate.spec.activeDeadlineSeconds).toBeGreaterThan(60);
    expect(runC.command).toEqual(['python3', '/mnt/locust/run.py']);
    expect(env(runC, 'LOCUST_MASTER_URL')).toBe(`http://${MASTER_FQDN}:8089`);
    expect(env(runC, 'BENCH_RUN_TIME')).toBe('60s');
    expect(env(runC, 'BENCH_EXPECT_WORKERS')).toBe('1');
    expect(env(runC, 'BENCH_WORKERS')).toBe('3');
  });
});

describe('Locust benchmark: load presets', () => {
  const b = defaults.benchmark;

  test.each([
    ['baseline', 125, 30],
    ['heavy', 500, 50],
    ['max', 750, 75],
  ] as const)('%s is %i users at %i/s, whatever users/spawnRate say', (preset, users, spawnRate) => {
    expect(benchmarkLoad({ ...b, preset, users: 1, spawnRate: 1 })).toEqual({ users, spawnRate });
    const o = render('kind', ['benchmark.enabled=true', `benchmark.preset=${preset}`]).benchmark;
    for (const c of [find(o, 'CronJob', 'mcp-stack-locust-run').spec.jobTemplate.spec.template.spec.containers[0], find(o, 'Deployment', 'mcp-stack-locust-master').spec.template.spec.containers[0]]) {
      expect([env(c, 'BENCH_USERS'), env(c, 'BENCH_SPAWN_RATE')]).toEqual([String(users), String(spawnRate)]);
    }
  });

  test('custom takes users and spawnRate from the values', () => {
    expect(benchmarkLoad({ ...b, preset: 'custom', users: 300, spawnRate: 30 })).toEqual({ users: 300, spawnRate: 30 });
    const o = render('kind', ['benchmark.enabled=true', 'benchmark.preset=custom', 'benchmark.users=300', 'benchmark.spawnRate=20', 'benchmark.runTime=5m']).benchmark;
    const c = find(o, 'CronJob', 'mcp-stack-locust-run').spec.jobTemplate.spec.template.spec.containers[0];
    expect([env(c, 'BENCH_USERS'), env(c, 'BENCH_SPAWN_RATE'), env(c, 'BENCH_RUN_TIME')]).toEqual(['300', '20', '5m']);
  });

  test('the seed defaults: baseline, 60 s, 3 workers, start with 1 connected', () => {
    expect([b.preset, b.runTime, b.workers, b.expectWorkers, b.enabled]).toEqual(['baseline', '60s', 3, 1, false]);
  });

  test('run time parsing', () => {
    expect([runSeconds('60s'), runSeconds('5m'), runSeconds('1h')]).toEqual([60, 300, 3600]);
    expect(() => runSeconds('1d')).toThrow(/'benchmark.runTime' must look like 60s, 5m or 1h \(received "1d"\)/);
  });
});

describe('Locust benchmark: the bearer token', () => {
  for (const profile of ['kind', 'ocp']) {
    const { benchmark } = render(profile, ['benchmark.enabled=true']);
    const workers = find(benchmark, 'Deployment', 'mcp-stack-locust-worker').spec.template.spec;

    test(`${profile}: minted by an init container with the gateway image, settings and Secret`, () => {
      const mint = workers.initContainers[0];
      expect(mint.name).toBe('mint-token');
      expect(mint.image).toMatch(/^ghcr\.io\/ibm\/mcp-context-forge:/);
      expect(mint.command).toEqual(['/bin/sh', '/mnt/locust/mint-token.sh']);
      expect(mint.envFrom).toEqual([{ configMapRef: { name: 'mcp-stack-gateway' } }, { secretRef: { name: 'mcp-stack-gateway' } }]);
      expect(mint.volumeMounts).toContainEqual({ name: 'tokens', mountPath: '/tokens' });
      expect(workers.volumes).toContainEqual({ name: 'tokens', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } });
      expect(workers.containers[0].volumeMounts).toContainEqual({ name: 'tokens', mountPath: '/tokens', readOnly: true });
      expect(env(workers.containers[0], 'TOKEN_FILE')).toBe('/tokens/token');
    });

    test(`${profile}: no secret or token in any argument, and the signing key reaches no Locust container`, () => {
      for (const { owner, container } of allContainers(benchmark)) {
        const argv = [...(container.command ?? []), ...(container.args ?? [])].join(' ');
        expect({ owner, argv }).not.toEqual({ owner, argv: expect.stringMatching(/\$\(|JWT_SECRET|SECRET_KEY|PASSWORD|Bearer|eyJ|--secret/i) });
        for (const e of container.env ?? []) expect(`${e.name}=${e.value ?? ''}`).not.toMatch(/JWT_SECRET|PASSWORD|eyJ/);
        if (container.name !== 'mint-token') {
          expect(container.envFrom).toBeUndefined();
          expect((container.env ?? []).filter((e: any) => e.valueFrom)).toEqual([]);
        }
      }
    });
  }

  test('no string anywhere in the objects (scripts aside) carries a token, a secret value or an env expansion of one', () => {
    const strings: string[] = [];
    const walk = (x: unknown): void => {
      if (typeof x === 'string') strings.push(x);
      else if (Array.isArray(x)) x.forEach(walk);
      else if (x && typeof x === 'object') Object.values(x).forEach(walk);
    };
    const { benchmark } = render('kind', ['benchmark.enabled=true']);
    walk(benchmark.filter((o) => o.kind !== 'ConfigMap'));
    expect(strings.length).toBeGreaterThan(50);
    expect(strings.filter((s) => /eyJ[A-Za-z0-9_-]{8,}|Bearer |\$\((JWT|MCPGATEWAY|.*SECRET|.*PASSWORD|.*TOKEN)/.test(s))).toEqual([]);
  });

  test('the scripts never hide errors and never print the token', () => {
    const s = locustScripts();
    for (const name of ['mint-token.sh', 'start.sh']) {
      expect(s[name]).toMatch(/^set -eu$/m);
      expect(s[name]).not.toContain('/dev/null');
      expect(s[name]).not.toMatch(/echo[^\n]*\$token|echo[^\n]*MCPGATEWAY_BEARER_TOKEN/);
    }
    expect(s['mint-token.sh']).toContain('python3 -m mcpgateway.utils.create_jwt_token --username "$PLATFORM_ADMIN_EMAIL" --exp "$TOKEN_MINUTES"');
    expect(s['mint-token.sh']).toMatch(/^umask 027$/m);
    expect(s['start.sh']).toMatch(/^export MCPGATEWAY_BEARER_TOKEN$/m);
    expect(s['start.sh']).toMatch(/^exec locust "\$@"$/m);
  });
});

describe('Locust benchmark: security and resources', () => {
  for (const profile of ['kind', 'ocp']) {
    const { benchmark } = render(profile, ['benchmark.enabled=true']);

    test(`${profile}: every container is restricted, read-only, with requests and limits`, () => {
      const all = allContainers(benchmark);
      expect(all.map((c) => c.owner).sort()).toEqual([
        'CronJob/mcp-stack-locust-run/run',
        'Deployment/mcp-stack-locust-master/locust',
        'Deployment/mcp-stack-locust-worker/locust',
        'Deployment/mcp-stack-locust-worker/mint-token',
      ]);
      for (const { container } of all) {
        expect(container.securityContext).toMatchObject({
          runAsNonRoot: true,
          allowPrivilegeEscalation: false,
          privileged: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
          seccompProfile: { type: 'RuntimeDefault' },
        });
        expect(Object.keys(container.resources.requests).sort()).toEqual(['cpu', 'memory']);
        expect(Object.keys(container.resources.limits).sort()).toEqual(['cpu', 'memory']);
        expect(container.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
      }
      for (const { spec } of podSpecs(benchmark)) {
        expect(spec.serviceAccountName).toBe('mcp-stack-workload');
        expect(spec.automountServiceAccountToken).toBe(false);
        expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
        expect(spec.volumes).toContainEqual({ name: 'tmp', emptyDir: {} });
      }
    });
  }

  test('kind: Locust runs as its image user, the token tool as the gateway user, sharing the fsGroup', () => {
    const spec = find(render('kind', ['benchmark.enabled=true']).benchmark, 'Deployment', 'mcp-stack-locust-worker').spec.template.spec;
    expect(spec.securityContext).toMatchObject({ runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 });
    expect(spec.initContainers[0].securityContext).toMatchObject({ runAsUser: 10001, runAsGroup: 10001 });
    expect(spec.containers[0].securityContext.runAsUser).toBeUndefined();
  });

  test('ocp: no user, group or fsGroup anywhere (restricted-v2 assigns them)', () => {
    const o = render('ocp', ['benchmark.enabled=true']).benchmark;
    const text = JSON.stringify(o);
    expect(text).not.toMatch(/"runAsUser"|"runAsGroup"|"fsGroup"/);
  });

  test('requests and limits come from masterResources and workerResources (500m each by default)', () => {
    const o = render('kind', ['benchmark.enabled=true', 'benchmark.masterResources.requests.cpu=750m']).benchmark;
    const master = find(o, 'Deployment', 'mcp-stack-locust-master').spec.template.spec.containers[0];
    const worker = find(o, 'Deployment', 'mcp-stack-locust-worker').spec.template.spec.containers[0];
    expect(master.resources.requests.cpu).toBe('750m');
    expect(worker.resources).toEqual({ requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '2', memory: '1Gi' } });
  });
});

describe('Locust benchmark: NetworkPolicies', () => {
  const policy = (objects: any[], name: string) => find(objects, 'NetworkPolicy', name).spec;
  const component = (peer: any) => peer.podSelector.matchLabels['app.kubernetes.io/component'];
  const rules = (list: any[]) => list.map((r) => `${component(r.from?.[0] ?? r.to[0])}:${r.ports.map((p: any) => p.port).join('+')}`).sort();

  test('workers reach the master on ZeroMQ, the run reaches its web API, workers reach NGINX on 8080', () => {
    const { all } = render('kind', ['benchmark.enabled=true', 'networkPolicies.enabled=true']);
    expect(rules(policy(all, 'mcp-stack-allow-locust-master').ingress)).toEqual(['locust-run:8089', 'locust-worker:5557+5558']);
    expect(rules(policy(all, 'mcp-stack-allow-locust-worker').egress)).toEqual(['locust-master:5557+5558', 'nginx:8080']);
    expect(rules(policy(all, 'mcp-stack-allow-locust-run').egress)).toEqual(['locust-master:8089']);
    expect(rules(policy(all, 'mcp-stack-allow-nginx').ingress.filter((r: any) => r.from[0].podSelector))).toEqual(['locust-worker:8080']);
  });

  test('without NGINX, workers reach the gateway on 4444', () => {
    const { all } = render('kind', ['benchmark.enabled=true', 'networkPolicies.enabled=true', 'nginx.enabled=false']);
    expect(rules(policy(all, 'mcp-stack-allow-locust-worker').egress)).toEqual(['gateway:4444', 'locust-master:5557+5558']);
    expect(rules(policy(all, 'mcp-stack-allow-gateway').ingress.filter((r: any) => r.from[0].podSelector))).toContain('locust-worker:4444');
  });
});

describe('Locust benchmark: the toggle', () => {
  const key = (o: any) => `${o.kind}/${o.metadata.name}`;

  test('adds exactly the benchmark objects (the 40-benchmark.yaml unit) and changes nothing else', () => {
    const units = (sets: string[]) => buildStack(values('kind', sets)).units;
    const off = units([]).flatMap((u) => u.objects);
    const onUnits = units(['benchmark.enabled=true']);
    const on = onUnits.flatMap((u) => u.objects);
    const offKeys = new Set(off.map(key));
    const added = on.filter((o) => !offKeys.has(key(o)));
    expect(onUnits.map((u) => u.file)).toContain('40-benchmark.yaml');
    expect(ids(added)).toEqual(ids(onUnits.find((u) => u.file === '40-benchmark.yaml')!.objects));
    const before = new Map(off.map((o) => [key(o), JSON.stringify(o)]));
    for (const o of on.filter((x) => offKeys.has(key(x)))) expect(JSON.stringify(o)).toBe(before.get(key(o)));
    expect(on.length).toBe(off.length + 6);
  });

  test('with NetworkPolicies on, it adds only the benchmark policies and the ingress rule at the target', () => {
    const off = render('kind', ['networkPolicies.enabled=true'], false).all;
    const on = render('kind', ['benchmark.enabled=true', 'networkPolicies.enabled=true'], true).all;
    const offKeys = new Set(off.map(key));
    const added = ids(on.filter((o) => !offKeys.has(key(o))));
    expect(added).toEqual([...ids(render('kind', ['benchmark.enabled=true']).benchmark), 'NetworkPolicy/mcp-stack-allow-locust-master', 'NetworkPolicy/mcp-stack-allow-locust-run', 'NetworkPolicy/mcp-stack-allow-locust-worker'].sort());
    const before = new Map(off.map((o) => [key(o), JSON.stringify(o)]));
    const changed = on.filter((o) => offKeys.has(key(o)) && JSON.stringify(o) !== before.get(key(o))).map(key);
    expect(changed).toEqual(['NetworkPolicy/mcp-stack-allow-nginx']);
  });
});

describe('Locust benchmark: the shipped scripts', () => {
  const dir = join(projectRoot(), 'assets', 'locust');

  test('the Python files compile (python3 -m py_compile)', () => {
    const cache = tempDir('pycache');
    for (const file of ['locustfile.py', 'run.py']) {
      execFileSync('python3', ['-m', 'py_compile', join(dir, file)], { env: { ...process.env, PYTHONPYCACHEPREFIX: cache }, stdio: 'pipe' });
    }
  });

  test('the shell scripts parse (sh -n)', () => {
    for (const file of ['mint-token.sh', 'start.sh']) execFileSync('sh', ['-n', join(dir, file)], { stdio: 'pipe' });
  });

  test('the locustfile: MCP Streamable HTTP to /servers/<id>/mcp, four weighted user classes', () => {
    const py = locustScripts()['locustfile.py'];
    expect(py).toContain('/servers/{Target.server_id}/mcp');
    expect(py).toContain('"Mcp-Session-Id"');
    for (const m of ['"initialize"', '"notifications/initialized"', '"tools/list"', '"tools/call"']) expect(py).toContain(m);
    const weights = Object.fromEntries([...py.matchAll(/^class (\w+)\(McpUser\):[\s\S]*?^\s+weight = (\d+)$/gm)].map((m) => [m[1], Number(m[2])]));
    expect(weights).toEqual({ AgentUser: 10, ToolCallerUser: 5, DiscoveryUser: 3, SessionChurnUser: 2 });
  });

  /** Runs Python with stand-ins for the locust package (not installed here), importing the shipped locustfile. */
  function withLocustStub(code: string): string {
    const root = tempDir('locust-stub');
    mkdirSync(join(root, 'locust'));
    writeFileSync(
      join(root, 'locust', '__init__.py'),
      [
        'class FastHttpUser: pass',
        'def between(a, b): return (a, b)',
        'def task(w=1):',
        '    return w if callable(w) else (lambda f: f)',
        'class _Hook:',
        '    def add_listener(self, f): return f',
        'class events:',
        '    test_start = _Hook()',
      ].join('\n'),
    );
    writeFileSync(join(root, 'locust', 'runners.py'), 'class MasterRunner: pass\n');
    const r = spawnSync('python3', ['-c', code], {
      env: { ...process.env, PYTHONPATH: `${root}:${dir}`, PYTHONDONTWRITEBYTECODE: '1' },
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`python failed:\n${r.stderr}`);
    return r.stdout.trim();
  }

  test('the locustfile reads JSON and SSE replies, finds the prefixed fast-time tools and rejects an expired token', () => {
    const out = withLocustStub(`
import base64, json, time
import locustfile as lf
assert lf.rpc_reply("application/json", '{"jsonrpc":"2.0","id":3,"result":{"ok":1}}', 3)["result"] == {"ok": 1}
sse = 'event: message\\ndata: {"jsonrpc":"2.0","method":"notifications/progress"}\\n\\nevent: message\\ndata: {"jsonrpc":"2.0",\\ndata: "id":7,"result":{"tools":[]}}\\n\\n'
assert lf.rpc_reply("text/event-stream; charset=utf-8", sse, 7)["result"] == {"tools": []}
try:
    lf.rpc_reply("application/json", '{"jsonrpc":"2.0","id":1,"result":{}}', 2)
    raise SystemExit("a reply to another id was accepted")
except ValueError:
    pass
tools = lf.pick_tools([{"name": "fast-time-get-system-time"}, {"name": "fast-time-convert-time"}, {"name": "fast-time-echo"}])
assert sorted(n for n, _ in tools) == ["fast-time-convert-time", "fast-time-get-system-time"], tools
args = dict(tools)["fast-time-convert-time"]()
assert set(args) == {"time", "source_timezone", "target_timezone"} and args["source_timezone"] != args["target_timezone"]
assert "timezone" in dict(tools)["fast-time-get-system-time"]()
other = lf.pick_tools([{"name": "weather", "inputSchema": {"required": ["city", "days"], "properties": {"days": {"type": "integer"}}}}])
assert other[0][0] == "weather" and other[0][1]() == {"city": "benchmark", "days": 1}
def jwt(claims):
    enc = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()
    return enc({"alg": "HS256"}) + "." + enc(claims) + ".sig"
assert lf.token_problem(jwt({"sub": "a", "exp": time.time() + 3600})) == ""
assert "expired" in lf.token_problem(jwt({"sub": "a", "exp": time.time() - 10}))
assert "not a JWT" in lf.token_problem("opaque")
assert lf.choose_server([{"id": "a", "enabled": False, "associatedTools": [1, 2, 3]}, {"id": "b", "associatedTools": [1]}, {"id": "c", "associatedTools": [1, 2]}]) == "c"
assert lf.choose_server({"items": [{"id": "x", "isActive": True}]}) == "x"
print("ok")
`);
    expect(out).toBe('ok');
  });

  test('run.py starts a run on a master, waits for it to stop, prints the summary and fails on too many failures', () => {
    const harness = (failures: number) => `
import json, os, subprocess, sys, threading
from http.server import BaseHTTPRequestHandler, HTTPServer
state = {"polls": 0, "swarm": None}
class Master(BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def reply(self, body):
        data = json.dumps(body).encode()
        self.send_response(200); self.send_header("Content-Type", "application/json"); self.send_header("Content-Length", str(len(data))); self.end_headers(); self.wfile.write(data)
    def do_POST(self):
        length = int(self.headers["Content-Length"])
        state["swarm"] = self.rfile.read(length).decode()
        self.reply({"success": True, "host": "http://target"})
    def do_GET(self):
        state["polls"] += 1
        running = state["swarm"] is not None and state["polls"] < 4
        s = "running" if running else ("stopped" if state["swarm"] else "ready")
        total = {"method": None, "name": "Aggregated", "num_requests": 1000, "num_failures": ${failures}, "avg_response_time": 250.4, "median_response_time": 180}
        self.reply({"state": s, "user_count": 125, "total_rps": 16.5, "fail_ratio": ${failures} / 1000,
                    "workers": [{"state": "running"}, {"state": "missing"}],
                    "stats": [{"method": "POST", "name": "tools/call fast-time-get-system-time", "num_requests": 1000, "num_failures": ${failures}, "avg_response_time": 250.4, "median_response_time": 180}, total],
                    "errors": [{"method": "POST", "name": "tools/call x", "error": "HTTP 502", "occurrences": ${failures}}] if ${failures} else []})
server = HTTPServer(("127.0.0.1", 0), Master)
threading.Thread(target=server.serve_forever, daemon=True).start()
env = dict(os.environ, LOCUST_MASTER_URL=f"http://127.0.0.1:{server.server_port}", BENCH_USERS="125", BENCH_SPAWN_RATE="30",
           BENCH_RUN_TIME="10s", BENCH_EXPECT_WORKERS="1", BENCH_WORKERS="3", BENCH_WAIT_SECONDS="30", BENCH_POLL_SECONDS="0.05")
r = subprocess.run([sys.executable, os.path.join(${JSON.stringify(dir)}, "run.py")], env=env, capture_output=True, text=True, timeout=60)
print(json.dumps({"code": r.returncode, "out": r.stdout + r.stderr, "swarm": state["swarm"]}))
`;
    const ok = JSON.parse(execFileSync('python3', ['-c', harness(0)], { encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } }));
    expect(ok.code).toBe(0);
    expect(ok.swarm).toBe('user_count=125&spawn_rate=30.0&run_time=10s');
    expect(ok.out).toContain('1 of 3 workers connected; starting anyway');
    expect(ok.out).toMatch(/requests\/s\s+100\.0 /);
    expect(ok.out).toMatch(/average latency\s+250 ms/);
    expect(ok.out).toMatch(/median latency\s+180 ms/);
    expect(ok.out).toMatch(/failure rate\s+0\.00% \(0 of 1000\)/);

    const bad = JSON.parse(execFileSync('python3', ['-c', harness(50)], { encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } }));
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('HTTP 502');
    expect(bad.out).toContain('FAILED: failure rate 5.00% is above 1.00%');
  }, 90_000);
});
