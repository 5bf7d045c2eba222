/**
 * The real-stack tier: the rendered kind stack's processes on this machine (Postgres, Redis and NGINX from Debian,
 * the ContextForge gateway and Locust from PyPI), from the rendered manifests and the `secrets` command's values.
 * The one stand-in is the time server (see fast_time_server.py). With CI=true a missing prerequisite fails; elsewhere
 * the tier says once what did not run and how to enable it (`bash scripts/install-stack-deps.sh`).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dump, load } from 'js-yaml';
import { join } from 'node:path';
import { readmeSection } from '../readme';
import { containerEnv, expandKubelet, freePort, GATEWAY_PY, HELM3, missingPrerequisites, ok, parseDocs, postgresBin, ROOT, Stack, type Doc } from './harness';

const missing = missingPrerequisites();
if (missing.length && process.env.CI === 'true') {
  test('the real-stack tier has its prerequisites (CI may not skip it)', () => {
    throw new Error(`missing: ${missing.join(', ')}; run bash scripts/install-stack-deps.sh`);
  });
} else if (missing.length) {
  console.warn(`real-stack tier NOT RUN: missing ${missing.join(', ')}. Enable it with: bash scripts/install-stack-deps.sh`);
  test.skip('real-stack tier (prerequisites missing)', () => undefined);
} else {
  describe('the rendered stack, run for real', realStack);
}

const CLI = join(ROOT, 'bin', 'mcp-stack');
// User-chosen passwords with every character that has a meaning in a URL (and a space): the whole stack runs on them.
const REDIS_PASSWORD = 'Rd7 q@u/o#t%e:d?K2x';
const POSTGRES_PASSWORD = 'Pg9 w@o/r#d%s:h?Z4m';
// Database and user names with '-' (the values allow DNS labels): the standalone path runs on them end to end, and
// the PGO init SQL is applied with another such pair, so both must be quoted wherever they meet SQL.
const STANDALONE_NAMES = ['--set', 'database.user=mcp-app', '--set', 'database.name=mcp-db'];
// The gateway's Prometheus metrics, on: the endpoint the rendered ServiceMonitor scrapes must answer its token only.
const METRICS_ON = ['--set', 'observability.metrics.enabled=true'];
const PGO_NAMES = ['--set', 'database.user=pgo-app', '--set', 'database.name=pgo-db'];
// Postgres refuses to run as root; as root, its processes run as this unprivileged account.
const PG_USER = process.getuid?.() === 0 ? 'nobody' : undefined;

function realStack(): void {
  jest.setTimeout(600_000);
  const s = new Stack();
  const docs: Doc[] = [];
  const configMaps = new Map<string, Record<string, string>>();
  const secrets = new Map<string, Record<string, string>>();
  const ports: Record<string, number> = {};
  let gatewayEnv: Record<string, string> = {};
  let adminToken = '';
  const find = (kind: string, name: string) => {
    const d = docs.find((x) => x.kind === kind && x.metadata.name === name);
    if (!d) throw new Error(`${kind}/${name} is not rendered`);
    return d;
  };
  const findJob = (prefix: string) => docs.find((d) => d.kind === 'Job' && d.metadata.name.startsWith(prefix))!;
  const containerOf = (d: Doc) => (d.kind === 'CronJob' ? d.spec.jobTemplate.spec.template.spec : d.spec.template.spec).containers[0];
  const url = (name: string) => `http://127.0.0.1:${ports[name]}`;
  // Cluster addresses → loopback ports, the one change a cluster-less run needs.
  const mapHosts = (text: string) =>
    text
      .replace(/mcp-stack-gateway\.mcp-stack\.svc\.cluster\.local(:80)?/g, `127.0.0.1:${ports.gateway}`)
      .replace(/mcp-stack-nginx\.mcp-stack\.svc\.cluster\.local(:80)?/g, `127.0.0.1:${ports.nginx}`)
      .replace(/mcp-stack-redis\.mcp-stack\.svc\.cluster\.local:6379/g, `127.0.0.1:${ports.redis}`)
      // The gateway stores 127.0.0.1 as localhost; the name keeps the stored URL equal to the registered one.
      .replace(/mcp-stack-fast-time-server\.mcp-stack\.svc\.cluster\.local(:\d+)?/g, `localhost:${ports.fastTime}`)
      .replace(/mcp-stack-locust\.mcp-stack\.svc\.cluster\.local(:8089)?/g, `127.0.0.1:${ports.locustWeb}`);
  const mapEnv = (env: Record<string, string>) => Object.fromEntries(Object.entries(env).map(([k, v]) => [k, mapHosts(v)]));
  const sitePackages = () => execFileSync(GATEWAY_PY, ['-c', 'import mcpgateway, os; print(os.path.dirname(os.path.dirname(mcpgateway.__file__)))']).toString().trim();
  const api = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(url('gateway') + path, { method, headers: { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!r.ok) throw new Error(`${method} ${path}: HTTP ${r.status} ${await r.text()}`);
    return r.json();
  };
  const items = (x: any) => (Array.isArray(x) ? x : x.items ?? []);
  /** A sign-in through NGINX, from `client` when given (as the proxy in front would record it); the reply read whole. */
  const signIn = async (path: string, email: string, password: string, client?: string) => {
    const r = await fetch(url('nginx') + path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(client ? { 'X-Forwarded-For': client } : {}) },
      body: JSON.stringify({ email, password }),
    });
    return { status: r.status, headers: r.headers, text: await r.text() };
  };
  // Each step builds on the ones before: after a failure the rest say so instead of timing out one by one.
  let broken = '';
  const step = (name: string, fn: () => Promise<void>) =>
    test(name, async () => {
      if (broken) throw new Error(`not run: the step "${broken}" failed`);
      try {
        await fn();
      } catch (error) {
        broken = name;
        throw error;
      }
    });

  beforeAll(async () => {
    for (const n of ['postgres', 'redis', 'gateway', 'nginx', 'fastTime', 'locustWeb', 'locustMaster']) ports[n] = await freePort();
    const out = s.folder('rendered');
    execFileSync(CLI, ['synth', '--profile', 'kind', '--with-benchmark', '--tenants', 'examples/tenants.yaml', ...STANDALONE_NAMES, ...METRICS_ON, '--out', out], { cwd: ROOT, stdio: 'pipe' });
    for (const f of ['10-database.yaml', '20-platform.yaml', '40-benchmark.yaml']) docs.push(...parseDocs(readFileSync(join(out, 'kind', f), 'utf8')));
    for (const d of docs) if (d.kind === 'ConfigMap') configMaps.set(d.metadata.name, d.data ?? {});
    // The `secrets` command's random values, with the Redis and Postgres passwords replaced by the user's, handed
    // back through `secrets --from` as a user would (it refuses weak values, so these must pass its checks).
    const values: Record<string, Record<string, string>> = {};
    for (const d of parseDocs(execFileSync(CLI, ['secrets', '--profile', 'kind', ...STANDALONE_NAMES, ...METRICS_ON], { cwd: ROOT }).toString())) {
      if (d.kind === 'Secret') values[d.metadata.name] = d.stringData ?? {};
    }
    values['mcp-stack-redis'].REDIS_PASSWORD = REDIS_PASSWORD;
    values['mcp-stack-postgres'].password = POSTGRES_PASSWORD;
    const from = s.write('secrets.local.yaml', dump(values));
    for (const d of parseDocs(execFileSync(CLI, ['secrets', '--profile', 'kind', ...STANDALONE_NAMES, ...METRICS_ON, '--from', from], { cwd: ROOT }).toString())) {
      if (d.kind === 'Secret') secrets.set(d.metadata.name, d.stringData ?? {});
    }
    expect(secrets.get('mcp-stack-redis')!.REDIS_PASSWORD).toBe(REDIS_PASSWORD);
    expect(secrets.get('mcp-stack-postgres')!.password).toBe(POSTGRES_PASSWORD);
    expect(secrets.get('mcp-stack-postgres')).toMatchObject({ user: 'mcp-app', dbname: 'mcp-db' });
  });

  afterAll(() => s.stop());

  step('Postgres starts with the rendered arguments and the ocp init SQL applies, with hyphenated names', async () => {
    const pg = postgresBin()!;
    const sts = find('StatefulSet', 'mcp-stack-postgres');
    const c = containerOf(sts);
    const env = containerEnv(c, configMaps, secrets);
    const data = s.ownedFolder(PG_USER, 'pg', 'data');
    const sock = s.ownedFolder(PG_USER, 'pg', 'run');
    const pw = s.write('pg/pwfile', env.POSTGRES_PASSWORD, 0o644);
    const as = (cmd: string, args: string[]) => (PG_USER ? ['runuser', ['-u', PG_USER, '--', cmd, ...args]] : [cmd, args]) as [string, string[]];
    ok(await s.run(...as(join(pg, 'initdb'), ['-D', data, '-U', env.POSTGRES_USER, '--pwfile', pw, '--auth=scram-sha-256', '-E', 'UTF8']), s.env({})), 'initdb');
    s.start('postgres', ...as(join(pg, 'postgres'), ['-D', data, ...c.args, '-k', sock, '-h', '127.0.0.1', '-p', String(ports.postgres)]), s.env({}));
    const pgEnv = s.env({ PGPASSWORD: env.POSTGRES_PASSWORD, PGHOST: '127.0.0.1', PGPORT: String(ports.postgres) });
    await s.waitFor('postgres ready', async () => (await s.run('pg_isready', ['-h', '127.0.0.1', '-p', String(ports.postgres)], pgEnv)).code === 0, 60_000, 'postgres');
    // The image's entrypoint creates POSTGRES_DB for POSTGRES_USER; the operator runs the init SQL with psql.
    ok(await s.run('createdb', ['-U', env.POSTGRES_USER, env.POSTGRES_DB], pgEnv), 'createdb');
    // What PGO does before the init SQL: the user and its database (names quoted, as PGO does), privileges on the
    // database only. Postgres 15+ then refuses the user CREATE in the schema `public`, until the init SQL grants it.
    const pgoPassword = 'pgo-user-password';
    const superuser = ['-U', env.POSTGRES_USER, '-v', 'ON_ERROR_STOP=1'];
    for (const sql of [`CREATE ROLE "pgo-app" LOGIN PASSWORD '${pgoPassword}'`, 'CREATE DATABASE "pgo-db"', 'GRANT ALL PRIVILEGES ON DATABASE "pgo-db" TO "pgo-app"']) {
      ok(await s.run('psql', [...superuser, '-d', 'postgres', '-c', sql], pgEnv), sql);
    }
    const asPgoUser = s.env({ PGPASSWORD: pgoPassword, PGHOST: '127.0.0.1', PGPORT: String(ports.postgres) });
    const createTable = (table: string) => s.run('psql', ['-U', 'pgo-app', '-d', 'pgo-db', '-v', 'ON_ERROR_STOP=1', '-c', `CREATE TABLE public.${table} (id int)`], asPgoUser);
    const refused = await createTable('before_init');
    expect(refused.code).not.toBe(0);
    expect(refused.out).toMatch(/permission denied for schema public/);
    const ocp = parseDocs(execFileSync(CLI, ['synth', '--profile', 'ocp', ...PGO_NAMES, '--stdout'], { cwd: ROOT }).toString());
    const initSql = ocp.find((d) => d.kind === 'ConfigMap' && d.metadata.name === 'mcp-stack-pg-init')!.data!['init.sql'];
    // PGO runs it as the superuser against the `postgres` database; the SQL connects to the user's database itself.
    const applied = ok(await s.run('psql', [...superuser, '-d', 'postgres', '-f', s.write('pg/init.sql', initSql, 0o644)], pgEnv), 'the init SQL');
    expect(applied).toContain('GRANT');
    ok(await createTable('after_init'), 'CREATE TABLE as the PGO user after the init SQL');
    // The rendered probe command (pg_isready as the container's user, against its database).
    const probe = c.readinessProbe.exec.command as string[];
    ok(await s.run(probe[0], [probe[1], probe[2].replace('-h 127.0.0.1', `-h 127.0.0.1 -p ${ports.postgres}`)], s.env(env)), 'the readiness probe');
  });

  step('Redis starts from the rendered command and answers its probe', async () => {
    const c = containerOf(find('StatefulSet', 'mcp-stack-redis'));
    const env = containerEnv(c, configMaps, secrets);
    const script = mapPaths(c.command[2] as string, { '/tmp/': `${s.folder('redis', 'tmp')}/`, '/data': s.folder('redis', 'data') }) + ` --port ${ports.redis} --bind 127.0.0.1`;
    s.start('redis', c.command[0], [c.command[1], script], s.env(env));
    const probe = (c.readinessProbe.exec.command[2] as string).replace('-h 127.0.0.1', `-h 127.0.0.1 -p ${ports.redis}`);
    await s.waitFor('redis probe passes', async () => (await s.run('/bin/sh', ['-c', probe], s.env(env))).code === 0, 30_000, 'redis');
    const liveness = (c.livenessProbe.exec.command[2] as string).replace('-h 127.0.0.1', `-h 127.0.0.1 -p ${ports.redis}`);
    expect((await s.run('/bin/sh', ['-c', liveness], s.env(env))).code).toBe(0);
    // Without the password, Redis refuses.
    expect((await s.run('redis-cli', ['-h', '127.0.0.1', '-p', String(ports.redis), 'set', 'k', 'v'], s.env({}))).out).toMatch(/NOAUTH/);
  });

  step('a Redis password of any characters works with the rendered start command and in the plugin Redis URL', async () => {
    const password = 'q"uo\\te @at/sl#ash%25$(x)`y`';
    const c = containerOf(find('StatefulSet', 'mcp-stack-redis'));
    const port = await freePort();
    const env = { REDIS_PASSWORD: password, REDISCLI_AUTH: password };
    const script = mapPaths(c.command[2] as string, { '/tmp/': `${s.folder('redis-odd', 'tmp')}/`, '/data': s.folder('redis-odd', 'data') }) + ` --port ${port} --bind 127.0.0.1`;
    s.start('redis-odd', c.command[0], [c.command[1], script], s.env(env));
    const probe = (c.readinessProbe.exec.command[2] as string).replace('-h 127.0.0.1', `-h 127.0.0.1 -p ${port}`);
    await s.waitFor('redis with an odd password answers its probe', async () => (await s.run('/bin/sh', ['-c', probe], s.env(env))).code === 0, 30_000, 'redis-odd');
    // The plugin loader renders the URL from the environment; the password must come back out of it unchanged.
    const file = s.write('redis-odd/plugins.yaml', configMaps.get('mcp-stack-gateway-plugins')!['config.yaml'], 0o644);
    const read = [
      'import sys, urllib.parse',
      'from cpex.framework.loader.config import ConfigLoader',
      'config = ConfigLoader.load_config(sys.argv[1])',
      'url = next(p.config["redis_url"] for p in config.plugins if p.name == "RateLimiterPlugin")',
      'print(urllib.parse.unquote(urllib.parse.urlsplit(url).password))',
    ].join('\n');
    const out = ok(await s.run(GATEWAY_PY, ['-c', read, file], s.env({ REDIS_PASSWORD: password })), 'the plugin configuration');
    expect(out.trim().split('\n').pop()).toBe(password);
  });

  step('the startup gate holds the gateway until the rendered migration has run', async () => {
    const deployment = find('Deployment', 'mcp-stack-gateway');
    const c = containerOf(deployment);
    const plugins = s.write('gateway/plugins/config.yaml', mapHosts(configMaps.get('mcp-stack-gateway-plugins')!['config.yaml']));
    gatewayEnv = mapEnv(containerEnv(c, configMaps, secrets));
    Object.assign(gatewayEnv, {
      POSTGRES_HOST: '127.0.0.1',
      POSTGRES_PORT: String(ports.postgres),
      PORT: String(ports.gateway),
      HOST: '127.0.0.1',
      PLUGINS_CONFIG_FILE: plugins,
      // The tier's backends listen on loopback, which the SSRF guard refuses by design; in a cluster they are Services.
      SSRF_ALLOW_LOCALHOST: 'true',
    });
    // The metrics workers share the pod's emptyDir; here, a folder of the run.
    if (gatewayEnv.PROMETHEUS_MULTIPROC_DIR) gatewayEnv.PROMETHEUS_MULTIPROC_DIR = s.folder('gateway', 'metrics');
    gatewayEnv.DATABASE_URL = gatewayEnv.DATABASE_URL.replace(/@[^/]+\//, `@127.0.0.1:${ports.postgres}/`);
    const gate = c.startupProbe.exec.command as string[];
    const before = await s.run(gate[0], gate.slice(1), s.env(gatewayEnv));
    expect(before.code).not.toBe(0);

    const job = findJob('mcp-stack-migrate-');
    const jc = containerOf(job);
    const jobEnv = mapEnv(containerEnv(jc, configMaps, secrets));
    Object.assign(jobEnv, { POSTGRES_HOST: '127.0.0.1', POSTGRES_PORT: String(ports.postgres), PLUGINS_CONFIG_FILE: plugins, HOME: s.folder('migration') });
    jobEnv.DATABASE_URL = jobEnv.DATABASE_URL.replace(/@[^/]+\//, `@127.0.0.1:${ports.postgres}/`);
    const script = mapPaths(mapHosts(jc.command[2]), { '/app/': `${sitePackages()}/` });
    ok(await s.run(jc.command[0], [jc.command[1], script], s.env(jobEnv), 300_000), 'the migration');

    ok(await s.run(gate[0], gate.slice(1), s.env(gatewayEnv)), 'the startup gate after the migration');
  });

  /** Starts the gateway as its pod would, with these settings, and waits for its readiness and liveness probes. */
  async function startGateway(env: Record<string, string>): Promise<void> {
    const c = containerOf(find('Deployment', 'mcp-stack-gateway'));
    const [shell, flag, script] = (c.command as string[]).map((a) => expandKubelet(a, env));
    s.start('gateway', shell, [flag, mapHosts(script)], s.env(env), s.folder('gateway', 'cwd'));
    for (const probe of [c.readinessProbe, c.livenessProbe]) {
      await s.waitFor(`gateway ${probe.httpGet.path}`, async () => (await fetch(url('gateway') + probe.httpGet.path)).status === 200, 180_000, 'gateway');
    }
  }

  step('the gateway serves with the rendered settings, without configuration warnings, and its probes pass', async () => {
    const g = gatewayEnv;
    const c = containerOf(find('Deployment', 'mcp-stack-gateway'));
    // The rendered command composes REDIS_URL, then runs the image's start script. Its stand-in here starts what the
    // image's does: Gunicorn with Uvicorn workers and the GUNICORN_* settings of the ConfigMap.
    s.folder('gateway', 'cwd');
    const gunicorn = 'exec python3 -m gunicorn mcpgateway.main:app --worker-class uvicorn.workers.UvicornWorker --bind "$HOST:$PORT" --workers "$GUNICORN_WORKERS" --timeout "$GUNICORN_TIMEOUT" --max-requests "$GUNICORN_MAX_REQUESTS" --max-requests-jitter "$GUNICORN_MAX_REQUESTS_JITTER"';
    s.write('gateway/cwd/docker-entrypoint.sh', `#!/bin/sh\n${gunicorn}${g.GUNICORN_PRELOAD_APP === 'true' ? ' --preload' : ''}\n`, 0o755);
    await startGateway(g);
    // Ready means the database and Redis both answered, on passwords with @ / # % : ? and a space.
    const ready = (await (await fetch(url('gateway') + c.readinessProbe.httpGet.path)).json()) as { status_items: { name: string; message: string }[] };
    expect(ready.status_items.map((i) => `${i.name}: ${i.message}`).sort()).toEqual(['Cache: Cache Connection Successful', 'Database: Database Connection Successful']);
    expect(s.logOf('gateway')).not.toContain(REDIS_PASSWORD);
    const log = s.logOf('gateway');
    // Every warning the gateway logs while starting, but one: this release warns that an empty UAID_ALLOWED_DOMAINS
    // allows every domain, while the setting itself documents (and enforces) empty as deny-all; the stack keeps it empty.
    // Three more are statements, not problems: the admin API and UI are off (the stack's choice) and the per-worker
    // pool arithmetic, which the output gate checks against max_connections.
    const statements = [/UAID_ALLOWED_DOMAINS is empty/, /Admin API routes not mounted/, /UI disabled via MCPGATEWAY_UI_ENABLED=False/, /DATABASE POOL: Running with/];
    const configWarnings = log.split('\n').filter((l) => /WARNING/.test(l) && !statements.some((r) => r.test(l)));
    expect(configWarnings).toEqual([]);
    const minted = await s.run('python3', ['-m', 'mcpgateway.utils.create_jwt_token', '--username', g.PLATFORM_ADMIN_EMAIL, '--exp', '60'], s.env(g));
    adminToken = minted.out.trim().split('\n').pop()!;
    expect(adminToken.split('.')).toHaveLength(3);
  });

  step("the chart's helm test command passes against the real gateway, and fails where no gateway answers", async () => {
    const chart = join(ROOT, 'dist', 'helm', 'mcp-stack');
    const rendered = parseDocs(execFileSync(HELM3, ['template', 'mcp-stack', chart, '-n', 'mcp-stack', '-f', join(chart, 'values-kind.yaml'), '--show-only', 'templates/tests/gateway-health.yaml'], { cwd: ROOT }).toString());
    const pod = rendered.find((d) => d.kind === 'Pod')!;
    // The Pod's command as the container runs it, the Service's address mapped to the gateway's loopback port.
    const [program, ...args] = (pod.spec.containers[0].command as string[]).map(mapHosts);
    expect(args[args.length - 1]).toBe(`${url('gateway')}/health`);
    const passed = ok(await s.run(program, args, s.env({})), 'the helm test command');
    expect(passed).toMatch(/^OK http:\/\/127\.0\.0\.1:\d+\/health: .*"healthy"/m);
    const nowhere = `http://127.0.0.1:${await freePort()}/health`;
    const failed = await s.run(program, [...args.slice(0, -1), nowhere], s.env({}));
    expect(failed.code).toBe(1);
    expect(failed.out).toContain(`FAIL ${nowhere}: `);
  });

  step('the metrics endpoint the rendered ServiceMonitor scrapes answers with the bearer token and refuses without it', async () => {
    const endpoint = find('ServiceMonitor', 'mcp-stack-gateway').spec.endpoints[0];
    expect(endpoint.authorization).toEqual({ type: 'Bearer', credentials: { name: 'mcp-stack-gateway-metrics', key: 'token' } });
    expect(gatewayEnv.ENABLE_METRICS).toBe('true');
    // More than one worker (the kind profile runs two), so the workers count into a shared folder.
    expect(Number(gatewayEnv.GUNICORN_WORKERS)).toBeGreaterThan(1);
    expect(gatewayEnv.PROMETHEUS_MULTIPROC_DIR).toBe(s.folder('gateway', 'metrics'));
    const scrape = (headers: Record<string, string>) => fetch(url('gateway') + endpoint.path, { headers });
    // The token a user puts in the Secret: a JWT minted with the gateway's own tool, by the README's own command
    // line (what it runs inside the gateway pod, here with the gateway's settings).
    const section = readmeSection('## Gateway metrics');
    const mint = /TOKEN=\$\(kubectl -n mcp-stack exec deploy\/mcp-stack-gateway -- \\\n\s*(python3 -m mcpgateway\.utils\.create_jwt_token [^)]*)\)/.exec(section);
    expect(mint?.[1]).toMatch(/ --exp \d+ \| tail -1$/);
    const minted = await s.run('bash', ['-c', `set -o pipefail; TOKEN=$(${mint![1]}) && printf 'TOKEN=%s\\n' "$TOKEN"`], s.env(gatewayEnv));
    const readmeToken = /^TOKEN=(.+)$/m.exec(minted.out)?.[1] ?? `(no token: ${minted.out})`;
    const withToken = await scrape({ Authorization: `Bearer ${readmeToken}` });
    expect(withToken.status).toBe(200);
    expect(await withToken.text()).toMatch(/^app_info\{/m);
    expect((await scrape({})).status).toBe(401);
    expect((await scrape({ Authorization: 'Bearer not.a.token' })).status).toBe(401);
  });

  step('contract: every setting the stack gives the gateway, in every profile, is one this release reads, and every enabled plugin loads', async () => {
    // The tier's own render too: it turns on settings the profiles leave off (the metrics switch).
    const names = new Set<string>((containerOf(find('Deployment', 'mcp-stack-gateway')).env as any[]).filter((e) => e.value === 'true').map((e) => e.name));
    // And the trace settings, which the tier does not turn on (no collector here).
    const traced = parseDocs(execFileSync(CLI, ['synth', '--profile', 'kind', '--stdout', '--set', 'observability.tracing.enabled=true', '--set', 'observability.tracing.endpoint=http://otel:4317', '--set', 'observability.tracing.headersSecretName=otel-auth'], { cwd: ROOT }).toString());
    for (const e of containerOf(traced.find((d) => d.kind === 'Deployment' && d.metadata.name === 'mcp-stack-gateway')!).env as any[]) if (e.name.startsWith('OTEL_')) names.add(e.name);
    expect([...names].filter((n) => n.startsWith('OTEL_')).length).toBe(7);
    for (const profile of ['kind', 'ocp', 'production']) {
      const rendered = parseDocs(execFileSync(CLI, ['synth', '--profile', profile, '--stdout'], { cwd: ROOT }).toString());
      const deployment = rendered.find((d) => d.kind === 'Deployment' && d.metadata.name === 'mcp-stack-gateway')!;
      const c = containerOf(deployment);
      const plugins = rendered.find((d) => d.kind === 'ConfigMap' && d.metadata.name === 'mcp-stack-gateway-plugins')?.data?.['config.yaml'] ?? '';
      for (const f of c.envFrom) {
        const data = f.configMapRef ? rendered.find((d) => d.kind === 'ConfigMap' && d.metadata.name === f.configMapRef.name)!.data! : secrets.get(f.secretRef.name)!;
        for (const k of Object.keys(data)) names.add(k);
      }
      // Variables that only feed others (`$(NAME)` in another value, `env.NAME` in the plugin file) are not settings.
      const values = (c.env as any[]).map((e) => e.value ?? '').join('\n') + plugins + (c.command ?? []).join('\n');
      for (const e of c.env as any[]) if (![`$(${e.name})`, `env.${e.name}`, `os.environ["${e.name}"]`].some((ref) => values.includes(ref))) names.add(e.name);
    }
    const answer = ok(await s.run(GATEWAY_PY, [join(__dirname, 'contract.py')], s.env({}), 60_000, JSON.stringify({ settings: [...names].sort(), plugins_file: gatewayEnv.PLUGINS_CONFIG_FILE })), 'the contract check');
    const found = JSON.parse(answer.trim().split('\n').pop()!);
    expect(found.unknown).toEqual([]);
    expect(found.plugin_errors).toEqual([]);
    const enabled = (load(readFileSync(gatewayEnv.PLUGINS_CONFIG_FILE, 'utf8')) as { plugins: { name: string; mode: string }[] }).plugins.filter((p) => p.mode !== 'disabled').map((p) => p.name).sort();
    expect(enabled.length).toBeGreaterThan(0);
    expect(found.plugins).toEqual(enabled);
  });

  step('the registration Job registers the backend and creates the virtual server; a second run changes nothing', async () => {
    s.start('fast-time', GATEWAY_PY, [join(__dirname, 'fast_time_server.py'), String(ports.fastTime)], s.env({}));
    await s.waitFor('time server health', async () => (await fetch(`${url('fastTime')}/health`)).ok, 30_000, 'fast-time');
    const job = findJob('mcp-stack-register-');
    const jc = containerOf(job);
    const env = { ...mapEnv(containerEnv(jc, configMaps, secrets)), ...pick(gatewayEnv, 'DATABASE_URL', 'SSRF_ALLOW_LOCALHOST', 'PLUGINS_CONFIG_FILE') };
    const scripts = configMaps.get(jc.volumeMounts.find((m: any) => m.mountPath === '/scripts') ? job.spec.template.spec.volumes.find((v: any) => v.name === 'scripts').configMap.name : '')!;
    for (const [name, text] of Object.entries(scripts)) s.write(`registration/${name}`, text.replace(/\/scripts\//g, `${s.folder('registration')}/`), 0o644);
    const command = [jc.command[0], jc.command[1], mapHosts(jc.command[2]).replace(/\/scripts\//g, `${s.folder('registration')}/`)];
    const first = ok(await s.run(command[0], command.slice(1), s.env(env), 300_000), 'registration');
    expect(first).toContain('created virtual server Fast Time Server');
    const servers = items(await api('GET', '/v1/servers?limit=0'));
    const gateways = items(await api('GET', '/v1/gateways?limit=0'));
    const second = ok(await s.run(command[0], command.slice(1), s.env(env), 300_000), 'the second registration');
    expect(second).toContain('already registered');
    expect(second).not.toMatch(/created virtual server|updated the tools|registered fast_time/);
    expect(items(await api('GET', '/v1/servers?limit=0')).map((x: any) => x.id)).toEqual(servers.map((x: any) => x.id));
    expect(items(await api('GET', '/v1/gateways?limit=0')).map((x: any) => x.id)).toEqual(gateways.map((x: any) => x.id));
    const fast = servers.find((x: any) => x.name === 'Fast Time Server');
    expect((fast.associatedTools ?? fast.associated_tools).length).toBeGreaterThanOrEqual(2);
    // The stand-in's tools as the gateway registered them, against the Go fast-time-server's declarations
    // (mcp.NewTool in its main.go): get_system_time(timezone, optional), convert_time(time, source_timezone,
    // target_timezone, all required), every argument a string.
    const tools = items(await api('GET', '/v1/tools?limit=0'));
    const shape = (suffix: string) => {
      const tool = tools.find((t: any) => t.name.endsWith(suffix));
      const schema = tool.inputSchema ?? tool.input_schema;
      return { args: Object.keys(schema.properties).sort(), types: [...new Set(Object.values<any>(schema.properties).map((p) => p.type))], required: [...(schema.required ?? [])].sort() };
    };
    expect(shape('get-system-time')).toEqual({ args: ['timezone'], types: ['string'], required: [] });
    expect(shape('convert-time')).toEqual({ args: ['source_timezone', 'target_timezone', 'time'], types: ['string'], required: ['source_timezone', 'target_timezone', 'time'] });
  });

  step('the tenant reconciler registers, keeps and removes tenant servers', async () => {
    const job = findJob('mcp-stack-tenant-registration-') ?? findJob('mcp-stack-register-tenants-');
    const jc = containerOf(job);
    const env = { ...mapEnv(containerEnv(jc, configMaps, secrets)), ...pick(gatewayEnv, 'DATABASE_URL', 'SSRF_ALLOW_LOCALHOST', 'PLUGINS_CONFIG_FILE') };
    const volumes = job.spec.template.spec.volumes as any[];
    const mountData = (path: string) => {
      const m = jc.volumeMounts.find((x: any) => x.mountPath === path);
      const v = volumes.find((x) => x.name === m.name);
      const names = v.configMap ? [v.configMap.name] : v.projected.sources.map((p: any) => p.configMap.name);
      return Object.assign({}, ...names.map((n: string) => configMaps.get(n)));
    };
    const scriptsDir = s.folder('tenants', 'scripts');
    for (const [name, text] of Object.entries(mountData('/scripts')) as [string, string][]) s.write(`tenants/scripts/${name}`, text.replace(/\/scripts\//g, `${scriptsDir}/`), 0o644);
    const rendered: any[] = Object.values(mountData('/catalog') as Record<string, string>).flatMap((t) => JSON.parse(t));
    expect(rendered.length).toBeGreaterThanOrEqual(2);
    // Every tenant server is the local time server, each at its own address (the SSE one at its SSE endpoint).
    const local = rendered.map((e, i) => ({ ...e, url: `http://localhost:${ports.fastTime}/${e.transport === 'SSE' ? 'sse' : 'http'}?tenant=${i}` }));
    const catalog = (entries: any[]) => s.write('tenants/catalog/catalog-000.json', JSON.stringify(entries), 0o644);
    const reconcile = async (entries: any[]) => {
      catalog(entries);
      const script = mapHosts(jc.command[2]).replace(/\/scripts\//g, `${scriptsDir}/`);
      return ok(await s.run(jc.command[0], [jc.command[1], script], s.env({ ...env, CATALOG_DIR: s.folder('tenants', 'catalog') }), 300_000), 'the tenant reconciler');
    };
    const owned = async () => items(await api('GET', '/v1/gateways?limit=0&include_inactive=true')).filter((g: any) => (g.tags ?? []).some((t: any) => (typeof t === 'string' ? t : t.id ?? t.label) === env.OWNER_TAG)).map((g: any) => g.name).sort();
    expect(await reconcile(local)).toContain('every tenant server is registered');
    expect(await owned()).toEqual(local.map((e) => e.name).sort());
    const kept = await reconcile(local);
    expect(kept).toContain(`${local.length} already registered, 0 to register`);
    const fewer = local.slice(1);
    expect(await reconcile(fewer)).toContain(`removed ${local[0].name}`);
    expect(await owned()).toEqual(fewer.map((e) => e.name).sort());
  });

  step('the chart, through helm template, composes URLs on which the gateway, migration and registration connect', async () => {
    const chart = join(ROOT, 'dist', 'helm', 'mcp-stack');
    const rendered = parseDocs(execFileSync(HELM3, ['template', 'mcp-stack', chart, '-n', 'mcp-stack', '-f', join(chart, 'values-kind.yaml')], { cwd: ROOT }).toString());
    const chartConfigMaps = new Map(rendered.filter((d) => d.kind === 'ConfigMap').map((d) => [d.metadata.name, d.data ?? {}] as const));
    // The gateway's own clients (redis-py and SQLAlchemy on psycopg) with the settings it reads from the environment.
    const check = s.write('helm/check.py', [
      'import redis, sqlalchemy',
      'from mcpgateway.config import settings',
      'redis.Redis.from_url(settings.redis_url).ping()',
      'with sqlalchemy.create_engine(settings.database_url).connect() as db:',
      '    db.execute(sqlalchemy.text("select 1"))',
      'print("connected")',
      '',
    ].join('\n'), 0o644);
    const targets = [
      rendered.find((d) => d.kind === 'Deployment' && d.metadata.name === 'mcp-stack-gateway'),
      rendered.find((d) => d.kind === 'Job' && d.metadata.name.startsWith('mcp-stack-migrate-')),
      rendered.find((d) => d.kind === 'Job' && d.metadata.name.startsWith('mcp-stack-register-')),
    ];
    for (const d of targets) {
      if (!d) throw new Error('helm template did not render the gateway, migration and registration');
      const c = containerOf(d);
      const env = mapEnv(containerEnv(c, chartConfigMaps, secrets));
      // The registration Job reaches the database only through the gateway: it gets the gateway's database settings.
      for (const k of ['DATABASE_URL', 'PGPASSWORD']) env[k] ??= gatewayEnv[k];
      env.DATABASE_URL = env.DATABASE_URL.replace(/@[^/]+\//, `@127.0.0.1:${ports.postgres}/`);
      const [shell, flag, script] = c.command as string[];
      // Everything the rendered script does before it starts its program, then the check instead of the program.
      const lines = mapHosts(script).split('\n').filter((l) => !/^(exec |python3 \/app\/)/.test(l));
      const out = ok(await s.run(shell, [flag, [...lines, `exec python3 ${check}`].join('\n')], s.env(env)), `${d.kind} ${d.metadata.name} from the chart`);
      expect(out.trim().split('\n').pop()).toBe('connected');
      expect(out).not.toContain(REDIS_PASSWORD);
    }
  });

  step('NGINX with the rendered configuration fronts the gateway', async () => {
    const c = containerOf(find('Deployment', 'mcp-stack-nginx'));
    const conf = configMaps.get('mcp-stack-nginx')!['nginx.conf'];
    const local = mapPaths(mapHosts(conf), { '/tmp/': `${s.folder('nginx', 'tmp')}/` }).replace(/listen \d+;/, `listen 127.0.0.1:${ports.nginx};`);
    const file = s.write('nginx/nginx.conf', local, 0o644);
    s.start('nginx', '/usr/sbin/nginx', ['-e', 'stderr', '-p', s.folder('nginx'), '-c', file, '-g', 'daemon off;'], s.env({}));
    const path = c.readinessProbe.httpGet.path;
    await s.waitFor('nginx probe', async () => (await fetch(url('nginx') + path)).status === 200, 30_000, 'nginx');
    const through = await fetch(`${url('nginx')}/health`.replace('/health', '/ready'));
    expect(through.status).toBe(200);
  });

  step("the platform admin signs in with the Secret's PLATFORM_ADMIN_PASSWORD and is asked for a new one, as the chart's NOTES say", async () => {
    const login = (password: string) => signIn('/v1/auth/email/login', gatewayEnv.PLATFORM_ADMIN_EMAIL, password);
    expect((await login(`${gatewayEnv.PLATFORM_ADMIN_PASSWORD}x`)).status).toBe(401);
    // The right password: the gateway's bootstrap created the admin with it and wants it changed before anything else.
    const first = await login(gatewayEnv.PLATFORM_ADMIN_PASSWORD);
    expect([first.status, first.headers.get('x-password-change-required'), first.text]).toEqual([403, 'true', expect.stringMatching(/Password change required/)]);
    const notes = readFileSync(join(ROOT, 'dist', 'helm', 'mcp-stack', 'templates', 'NOTES.txt'), 'utf8');
    expect(notes).toMatch(/PLATFORM_ADMIN_PASSWORD from Secret [^\n]*\n[^\n]*asks for a new password at that first login\. The Secret only sets the first one/);
  });

  step('after a restart with another PLATFORM_ADMIN_PASSWORD in the Secret, the admin keeps the first one, as the NOTES say', async () => {
    // What a pod restart after an edit of the Secret does: the gateway starts again with the new value.
    const rotated = { ...gatewayEnv, PLATFORM_ADMIN_PASSWORD: `Rotated-${gatewayEnv.PLATFORM_ADMIN_PASSWORD}` };
    await s.stopProcess('gateway');
    await startGateway(rotated);
    const login = (password: string) => signIn('/v1/auth/email/login', gatewayEnv.PLATFORM_ADMIN_EMAIL, password);
    expect((await login(rotated.PLATFORM_ADMIN_PASSWORD)).status).toBe(401);
    const first = await login(gatewayEnv.PLATFORM_ADMIN_PASSWORD);
    expect([first.status, first.headers.get('x-password-change-required')]).toEqual([403, 'true']);
    const notes = readFileSync(join(ROOT, 'dist', 'helm', 'mcp-stack', 'templates', 'NOTES.txt'), 'utf8');
    expect(notes).toMatch(/once the admin exists, a new\n\s*PLATFORM_ADMIN_PASSWORD there changes nothing/);
  });

  step('through NGINX a client may try ten sign-ins at once, then is refused with 429; another client is not', async () => {
    // The gateway's own sign-in tier names only the unversioned paths (turned off here): NGINX counts /v1 sign-ins.
    // An account that does not exist, so the gateway's per-account lockout never answers first.
    const attempt = async (client: string) => (await signIn('/v1/auth/email/login', 'nobody@example.com', 'not-the-password', client)).status;
    const statuses: number[] = [];
    for (let i = 0; i < 25 && statuses[statuses.length - 1] !== 429; i++) statuses.push(await attempt('203.0.113.20'));
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses[statuses.length - 1]).toBe(429);
    expect(await attempt('203.0.113.21')).toBe(401);
  });

  step("through NGINX the gateway's rate limits count each client as the proxy in front recorded it, not as the client wrote it", async () => {
    // As through an Ingress or a Route: the proxy in front appends the client it saw to whatever X-Forwarded-For the
    // client sent. The limiter counts per client address and tier before routing; its sign-in tier (CRITICAL,
    // RATE_LIMIT_CRITICAL_RPM a minute) matches the unversioned sign-in path, which this release answers with 404
    // (sign-in is under /v1, which NGINX counts instead, see the step before): a path with a small limit, so the test
    // stays short.
    const attempt = async (forwardedFor: string) => (await signIn('/auth/email/login', 'nobody@example.com', 'not-the-password', forwardedFor)).status;
    const limit = Number(gatewayEnv.RATE_LIMIT_CRITICAL_RPM ?? 10);
    const statuses: number[] = [];
    // A new forged first entry each time: were it the address counted, no attempt would ever be refused.
    for (let i = 1; i <= 2 * limit + 1 && statuses[statuses.length - 1] !== 429; i++) statuses.push(await attempt(`198.51.100.${i}, 203.0.113.7`));
    expect(statuses[statuses.length - 1]).toBe(429);
    expect(statuses.slice(0, limit).includes(429)).toBe(false);
    // Another client behind the same proxy still has its own count.
    expect(await attempt('203.0.113.8')).not.toBe(429);
  });

  step('Locust runs the project locustfile and run.py through NGINX with 0 failures and closes its sessions', async () => {
    const master = containerOf(find('Deployment', 'mcp-stack-locust-master'));
    const worker = find('Deployment', 'mcp-stack-locust-worker');
    const files = configMaps.get('mcp-stack-locust')!;
    const dir = s.folder('locust');
    for (const [name, text] of Object.entries(files)) s.write(`locust/${name}`, text, 0o644);
    const mnt = (a: string) => a.replace('/mnt/locust/', `${dir}/`);
    // The worker's init container mints the token with the gateway tool; its start script hands it to Locust.
    const init = worker.spec.template.spec.initContainers[0];
    const tokenFile = s.path('locust', 'token', 'token');
    const mintEnv = { ...mapEnv(containerEnv(init, configMaps, secrets)), ...pick(gatewayEnv, 'DATABASE_URL', 'PLUGINS_CONFIG_FILE'), TOKEN_FILE: tokenFile };
    ok(await s.run(init.command[0], init.command.slice(1).map(mnt), s.env(mintEnv)), 'mint-token');
    const masterEnv = mapEnv(containerEnv(master, configMaps, secrets));
    const masterArgs = (master.args as string[]).map(mnt).map((a) => a.replace('--web-host=0.0.0.0', '--web-host=127.0.0.1').replace(/--web-port=\d+/, `--web-port=${ports.locustWeb}`).replace(/--master-bind-port=\d+/, `--master-bind-port=${ports.locustMaster}`));
    s.start('locust-master', master.command[0], [...masterArgs, '--master-bind-host=127.0.0.1'], s.env(masterEnv));
    const wc = containerOf(worker);
    const workerEnv = { ...mapEnv(containerEnv(wc, configMaps, secrets)), TOKEN_FILE: tokenFile };
    const workerArgs = [...wc.command.slice(1), ...wc.args].map(mnt).map((a: string) => a.replace(/--master-host=.*/, '--master-host=127.0.0.1').replace(/--master-port=\d+/, `--master-port=${ports.locustMaster}`));
    s.start('locust-worker', wc.command[0], workerArgs, s.env(workerEnv));
    const run = containerOf(find('CronJob', 'mcp-stack-locust-run'));
    const runEnv = { ...mapEnv(containerEnv(run, configMaps, secrets)), BENCH_USERS: '4', BENCH_SPAWN_RATE: '4', BENCH_RUN_TIME: '6s', BENCH_WORKERS: '1', BENCH_POLL_SECONDS: '1', BENCH_WAIT_SECONDS: '60', BENCH_MAX_FAILURE_RATIO: '0' };
    const result = ok(await s.run(run.command[0], run.command.slice(1).map(mnt), s.env(runEnv), 180_000), 'run.py');
    console.log(`benchmark through NGINX:\n${result}`);
    expect(result).toMatch(/failure rate\s+0\.00% \(0 of \d+\)/);
    const count = (row: string) => Number(new RegExp(`^${row}\\s+(\\d+)`, 'm').exec(result)?.[1] ?? 0);
    // A client initializes once per session, not once per call (the gateway may run stateless, without session ids).
    // Counted against the users, not the calls: on a loaded machine a 6 s run may make no more calls than users.
    expect(count('POST initialize')).toBeLessThanOrEqual(Number(runEnv.BENCH_USERS));
    expect(count('POST tools/list') + count('POST tools/call fast-time-get-system-time') + count('POST tools/call fast-time-convert-time')).toBeGreaterThan(0);
    // Users that got a session id end it when they stop; a stateless gateway hands out none.
    const fast = items(await api('GET', '/v1/servers?limit=0')).find((x: any) => x.name === 'Fast Time Server');
    const probeSession = await fetch(`${url('nginx')}/servers/${fast.id}/mcp`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'tier', version: '1' } } }),
    });
    expect(probeSession.status).toBe(200);
    if (probeSession.headers.get("mcp-session-id")) expect(count('DELETE session close')).toBeGreaterThan(0);
    else expect(count('DELETE session close')).toBe(0);
  });

  step("every SSE stream the real gateway serves reaches the client through NGINX unbuffered, and NGINX tells the proxy in front not to buffer it", async () => {
    // The gateway's own route table: every GET path ending in /sse (the rendered configuration turns the
    // unversioned aliases off).
    const headers = { Authorization: `Bearer ${adminToken}` };
    const spec: any = await (await fetch(`${url('gateway')}/openapi.json`, { headers })).json();
    const fast = items(await api('GET', '/v1/servers?limit=0')).find((x: any) => x.name === 'Fast Time Server');
    const routes = Object.keys(spec.paths).filter((p) => p.endsWith('/sse') && spec.paths[p].get).sort();
    expect(routes).toEqual(expect.arrayContaining(['/sse', '/v1/servers/{server_id}/sse']));
    const unbuffered: string[] = [];
    for (const route of routes) {
      const path = route.replace('{server_id}', fast.id);
      const stop = new AbortController();
      const r = await fetch(url('nginx') + path, { headers: { ...headers, Accept: 'text/event-stream' }, signal: stop.signal });
      expect([route, r.status]).toEqual([route, 200]);
      // A proxy in front that honours the header (ingress-nginx without this stack's Ingress annotations, say) buffers
      // unless told not to; the gateway's own header stops at NGINX (NGINX never passes X-Accel-* on), so NGINX adds it.
      if (r.headers.get('x-accel-buffering') === 'no') unbuffered.push(route);
      // The stream's first event arrives while the stream stays open.
      const reader = r.body!.getReader();
      let text = '';
      while (!/event: endpoint/.test(text)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      expect([route, text]).toEqual([route, expect.stringContaining('event: endpoint')]);
      stop.abort();
    }
    expect(unbuffered).toEqual(routes);
    // Elsewhere NGINX says nothing of buffering: the check above can fail.
    const plain = await fetch(`${url('nginx')}/v1/servers?limit=0`, { headers });
    await plain.arrayBuffer();
    expect(plain.headers.get('x-accel-buffering')).toBeNull();
  });

  step('every metric the rendered alert rules read is one the real gateway exposes, with the labels they select on', async () => {
    // After the steps above the gateway has answered API calls and MCP traffic: its request metrics have samples.
    const rendered = parseDocs(execFileSync(CLI, ['synth', '--profile', 'kind', '--stdout', ...METRICS_ON, '--set', 'observability.alerts.enabled=true'], { cwd: ROOT }).toString());
    const exprs: string[] = rendered.find((d) => d.kind === 'PrometheusRule')!.spec.groups.flatMap((g: any) => g.rules.map((r: any) => r.expr));
    // `up` is Prometheus's own series for every target; the rest must come from the gateway.
    const read = new Set(exprs.flatMap((e) => [...e.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\{/g)].map((m) => m[1])).filter((n) => n !== 'up'));
    expect([...read].sort()).toEqual(['http_request_duration_seconds_bucket', 'http_request_duration_seconds_count', 'http_requests_total']);
    const scrape = () => fetch(url('gateway') + find('ServiceMonitor', 'mcp-stack-gateway').spec.endpoints[0].path, { headers: { Authorization: `Bearer ${adminToken}` } });
    // A kept-alive connection the gateway has closed meanwhile fails once; a new one does not.
    const scraped = await scrape().catch(scrape);
    expect(scraped.status).toBe(200);
    const samples = (await scraped.text()).split('\n').filter((l) => l && !l.startsWith('#'));
    const series = (name: string) => samples.filter((l) => l.startsWith(`${name}{`));
    const present = [...new Set(samples.map((l) => l.split(/[{ ]/)[0]))].sort();
    expect([...read].filter((name) => !present.includes(name))).toEqual([]);
    // The labels the rules select on: the status code as a number (5xx), the handler, and the 1 s bucket.
    expect(series('http_requests_total').every((l) => /status="\d{3}"/.test(l) && /handler="\//.test(l))).toBe(true);
    expect(series('http_request_duration_seconds_bucket').some((l) => l.includes('le="1.0"'))).toBe(true);
    // The workers counted into the shared folder (prometheus_client's multiprocess files), so that scrape summed them.
    expect(readdirSync(gatewayEnv.PROMETHEUS_MULTIPROC_DIR).filter((f) => /^counter_\d+\.db$/.test(f)).length).toBeGreaterThan(0);
    // The MCP stream handler the latency rule leaves out is the one this release reports.
    expect(series('http_requests_total').some((l) => /handler="\/servers\/\{server_id\}\/mcp"|handler="\/mcp"/.test(l))).toBe(true);
  });
}

function mapPaths(text: string, map: Record<string, string>): string {
  return Object.entries(map).reduce((t, [from, to]) => t.split(from).join(to), text);
}

function pick(env: Record<string, string>, ...keys: string[]): Record<string, string> {
  return Object.fromEntries(keys.filter((k) => k in env).map((k) => [k, env[k]]));
}
