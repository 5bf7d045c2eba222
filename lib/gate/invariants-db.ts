/**
 * The Postgres connection budget. `max_connections` must cover PgBouncer's server-side pool, plus, for gateways
 * that connect without a pooler, pods (at the HPA maximum) × Gunicorn workers × (DB_POOL_SIZE + DB_MAX_OVERFLOW)
 * with the scaling guide's 20 % headroom, plus a fixed buffer for migrations, backups and admin sessions.
 * Those pool sizes bound anything only with the gateway's QueuePool: with DB_POOL_CLASS `null`, or `auto` (its
 * default) and a database URL naming PgBouncer, ContextForge uses NullPool, one connection per session, unbounded.
 */
import { isPlainObject, nsOf, replicasOf, type Manifest, type Model, type PodTemplate } from './model';
import { findService, mainContainer, parseServiceHost, settingOf, templatesOfComponent } from './services';
import type { Sink } from './types';

/** The scaling guide's formula: pods × workers × pool × 1.2 + buffer. */
export const POOL_HEADROOM = 1.2;
export const CONNECTION_BUFFER = 20;
/** Postgres and PgBouncer defaults when a setting is absent. */
const PG_DEFAULT_MAX_CONNECTIONS = 100;
const PG_DEFAULT_SUPERUSER_RESERVED = 3;
const PGBOUNCER_DEFAULT_POOL = 20;
const PGBOUNCER_DEFAULT_MAX_CLIENT_CONN = 100;

interface Gateway {
  t: PodTemplate;
  pods: number;
  workers: number;
  pool: number;
  overflow: number;
  /** How the gateway reaches Postgres. */
  target: { kind: 'pgo'; cluster: string; pooled: boolean } | { kind: 'standalone'; service: Manifest } | undefined;
}

function int(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

function gatewayTarget(model: Model, t: PodTemplate, c: any): Gateway['target'] {
  const env = (Array.isArray(c?.env) ? c.env : []).find((e: any) => e?.name === 'POSTGRES_HOST');
  const ref = env?.valueFrom?.secretKeyRef;
  if (isPlainObject(ref) && typeof ref.name === 'string') {
    const m = /^(.*)-pguser-.+$/.exec(ref.name);
    if (m) return { kind: 'pgo', cluster: m[1], pooled: ref.key === 'pgbouncer-host' };
  }
  const host = typeof env?.value === 'string' ? env.value : undefined;
  if (!host) return undefined;
  const target = parseServiceHost(host, nsOf(t.owner));
  if (!target) return undefined;
  const pgo = model.items.find((p) => p.kind === 'PostgresCluster' && (target.name === `${p.name}-pgbouncer` || target.name === `${p.name}-primary`));
  if (pgo) return { kind: 'pgo', cluster: pgo.name, pooled: target.name.endsWith('-pgbouncer') };
  const service = findService(model, target.name, target.namespace);
  return service ? { kind: 'standalone', service } : undefined;
}

function gateways(model: Model, sink: Sink): Gateway[] {
  const out: Gateway[] = [];
  for (const t of templatesOfComponent(model, 'gateway')) {
    if (!t.longRunning) continue;
    const c = mainContainer(t, 'gateway');
    const settings = ['GUNICORN_WORKERS', 'DB_POOL_SIZE', 'DB_MAX_OVERFLOW'].map((k) => int(settingOf(model, t.owner, c, k)));
    const target = gatewayTarget(model, t, c);
    if (!target) continue;
    const missing = ['GUNICORN_WORKERS', 'DB_POOL_SIZE', 'DB_MAX_OVERFLOW'].filter((_, i) => settings[i] === undefined);
    if (missing.length) {
      sink.warn('invariant/pg-connection-budget', t.owner.doc, [...t.path, 'spec', 'containers'], `cannot size the Postgres connection budget: the gateway does not set ${missing.join(', ')} as numbers`, 'set them in the gateway ConfigMap so the budget is explicit');
      continue;
    }
    const poolClass = String(settingOf(model, t.owner, c, 'DB_POOL_CLASS') ?? 'auto').trim().toLowerCase();
    const viaPgBouncer = target.kind === 'pgo' ? target.pooled : /pgbouncer/i.test(target.service.name);
    if (poolClass === 'null' || (poolClass === 'auto' && viaPgBouncer)) {
      const why = poolClass === 'null' ? 'DB_POOL_CLASS is null' : "DB_POOL_CLASS is auto (the default) and the database URL names PgBouncer";
      sink.error('invariant/pg-pool-class', t.owner.doc, [...t.path, 'spec', 'containers'], `the gateway would use NullPool (${why}): every session opens its own connection, so DB_POOL_SIZE and DB_MAX_OVERFLOW bound nothing and the connection budget cannot hold`, 'set DB_POOL_CLASS to queue');
      continue;
    }
    const [workers, pool, overflow] = settings as number[];
    out.push({ t, pods: replicasOf(model, t.owner).max, workers, pool, overflow, target });
  }
  return out;
}

function directDemand(gs: Gateway[]): { total: number; terms: string[] } {
  const terms = gs.map((g) => `${g.pods} pods × ${g.workers} workers × (${g.pool} pool + ${g.overflow} overflow) × ${POOL_HEADROOM}`);
  const total = gs.reduce((s, g) => s + Math.ceil(g.pods * g.workers * (g.pool + g.overflow) * POOL_HEADROOM), 0);
  return { total, terms };
}

function checkPgoCluster(model: Model, pg: Manifest, gs: Gateway[], sink: Sink): void {
  const spec = pg.obj.spec ?? {};
  const params = spec.patroni?.dynamicConfiguration?.postgresql?.parameters ?? {};
  const max = int(params.max_connections) ?? PG_DEFAULT_MAX_CONNECTIONS;
  const reserved = int(params.superuser_reserved_connections) ?? PG_DEFAULT_SUPERUSER_RESERVED;
  const bouncer = isPlainObject(spec.proxy?.pgBouncer) ? spec.proxy.pgBouncer : undefined;
  const terms: string[] = [];
  let need = CONNECTION_BUFFER + reserved;
  const pooledGateways = gs.filter((g) => g.target?.kind === 'pgo' && g.target.pooled);
  if (bouncer) {
    const global = bouncer.config?.global ?? {};
    const replicas = int(bouncer.replicas) ?? 1;
    const pool = (int(global.default_pool_size) ?? PGBOUNCER_DEFAULT_POOL) + (int(global.reserve_pool_size) ?? 0);
    const cap = int(global.max_db_connections);
    const perInstance = cap && cap > 0 ? Math.min(cap, pool) : pool;
    need += replicas * perInstance;
    terms.push(`PgBouncer ${replicas} × ${cap && cap > 0 ? `min(max_db_connections ${cap}, pool ${pool})` : `pool ${pool}`} = ${replicas * perInstance}`);
    const clientDemand = pooledGateways.reduce((s, g) => s + g.pods * g.workers * (g.pool + g.overflow), 0);
    const maxClients = replicas * (int(global.max_client_conn) ?? PGBOUNCER_DEFAULT_MAX_CLIENT_CONN);
    if (clientDemand > maxClients) {
      sink.error('invariant/pgbouncer-client-budget', pg.doc, ['spec', 'proxy', 'pgBouncer', 'config', 'global', 'max_client_conn'], `PgBouncer accepts ${maxClients} client connections (${replicas} × max_client_conn) but the gateways open up to ${clientDemand} (pods × workers × (pool + overflow))`, `raise max_client_conn to at least ${Math.ceil(clientDemand / replicas)}`);
    }
    if (pooledGateways.length && global.pool_mode === undefined) {
      sink.warn('invariant/pgbouncer-pool-mode', pg.doc, ['spec', 'proxy', 'pgBouncer', 'config', 'global'], 'pool_mode is not set, so PgBouncer runs in session mode: every gateway connection holds a server connection for its whole life', "set pool_mode: transaction (the gateway's SQLAlchemy pools suit it)");
    }
  } else if (pooledGateways.length) {
    sink.error('invariant/pg-connection-budget', pg.doc, ['spec', 'proxy'], `the gateway connects through PgBouncer (pgbouncer-host) but PostgresCluster '${pg.name}' has no spec.proxy.pgBouncer`, 'add spec.proxy.pgBouncer or point POSTGRES_HOST at the host key');
  }
  const direct = directDemand(gs.filter((g) => g.target?.kind === 'pgo' && !g.target.pooled));
  need += direct.total;
  terms.push(...direct.terms.map((x) => `direct ${x}`));
  if (max >= need) return;
  sink.error(
    'invariant/pg-connection-budget',
    pg.doc,
    ['spec', 'patroni', 'dynamicConfiguration', 'postgresql', 'parameters', 'max_connections'],
    `max_connections ${max} is below the ${need} connections needed: ${[...terms, `buffer ${CONNECTION_BUFFER}`, `superuser-reserved ${reserved}`].join(' + ')}`,
    `raise max_connections to at least ${need}, or shrink the pools (max_db_connections, DB_POOL_SIZE, workers)`,
  );
}

/** `max_connections` of a standalone Postgres container: `-c max_connections=N` in its command or args. */
function standaloneMax(t: PodTemplate): { value: number; index?: number; field?: string } {
  const c = mainContainer(t, 'postgres');
  for (const field of ['args', 'command']) {
    const list: unknown[] = Array.isArray(c?.[field]) ? c[field] : [];
    for (let i = 0; i < list.length; i++) {
      const m = /max_connections\s*=\s*(\d+)/.exec(String(list[i]));
      if (m) return { value: Number(m[1]), index: i, field };
    }
  }
  return { value: PG_DEFAULT_MAX_CONNECTIONS };
}

function checkStandalone(t: PodTemplate, mine: Gateway[], sink: Sink): void {
  if (mine.length === 0) return;
  const { value, index, field } = standaloneMax(t);
  const direct = directDemand(mine);
  const need = direct.total + CONNECTION_BUFFER + PG_DEFAULT_SUPERUSER_RESERVED;
  if (value >= need) return;
  const path = index === undefined ? [...t.path, 'spec', 'containers', 0] : [...t.path, 'spec', 'containers', 0, field!, index];
  sink.error(
    'invariant/pg-connection-budget',
    t.owner.doc,
    path,
    `max_connections ${value}${index === undefined ? ' (Postgres default)' : ''} is below the ${need} connections needed: ${[...direct.terms, `buffer ${CONNECTION_BUFFER}`, `superuser-reserved ${PG_DEFAULT_SUPERUSER_RESERVED}`].join(' + ')}`,
    `pass '-c max_connections=${need}' (or more) to postgres, or shrink the gateway pools`,
  );
}

export function checkConnectionBudget(model: Model, sink: Sink): void {
  const gs = gateways(model, sink);
  for (const pg of model.items.filter((m) => m.group === 'postgres-operator.crunchydata.com' && m.kind === 'PostgresCluster')) {
    checkPgoCluster(model, pg, gs.filter((g) => g.target?.kind === 'pgo' && g.target.cluster === pg.name), sink);
  }
  for (const t of templatesOfComponent(model, 'postgres')) {
    if (t.owner.kind !== 'StatefulSet' && t.owner.kind !== 'Deployment') continue;
    const mine = gs.filter((g) => g.target?.kind === 'standalone' && nsOf(g.target.service) === nsOf(t.owner) && selects(g.target.service, t));
    checkStandalone(t, mine, sink);
  }
}

function selects(service: Manifest, t: PodTemplate): boolean {
  const sel = service.obj.spec?.selector;
  return isPlainObject(sel) && Object.keys(sel).length > 0 && Object.entries(sel).every(([k, v]) => t.labels[k] === v);
}
