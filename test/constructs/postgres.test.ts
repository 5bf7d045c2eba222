import { Chart } from 'cdk8s';
import { StackContext } from '../../lib/constructs/core/context';
import { databaseExternalDefaults } from '../../profiles/database-schema';
import { ExternalPostgres, PgoPostgres, Postgres, StandalonePostgres } from '../../lib/constructs/postgres';
import { gateFindings, objectsOf, userApp, userChart } from './support';
import { defaults } from '../../profiles/defaults';

const ids = (objects: any[]) => objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`);
const of = (objects: any[], kind: string) => objects.find((o) => o.kind === kind);
const envOf = (env: any[]) => Object.fromEntries(env.map((e) => [e.name, e.value ?? `${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}`]));

describe('PgoPostgres on its own', () => {
  test('with no props: the stack own cluster with PgBouncer, its init SQL, in the chart namespace, and the gate passes it', () => {
    const chart = userChart('apps');
    const pg = new PgoPostgres(chart, 'db');
    const objects = objectsOf(chart);
    expect(ids(objects)).toEqual(['ConfigMap/apps/mcp-stack-pg-init', 'PostgresCluster/apps/mcp-stack-pg']);
    const spec = of(objects, 'PostgresCluster').spec;
    expect(spec).toMatchObject({ postgresVersion: 17, users: [{ name: 'mcp', databases: ['mcp'] }], databaseInitSQL: { name: 'mcp-stack-pg-init', key: 'init.sql' } });
    expect(spec.proxy.pgBouncer.config.global.pool_mode).toBe('transaction');
    expect(spec.openshift).toBeUndefined();
    expect(spec.monitoring).toBeUndefined();
    expect(pg.clusterName).toBe('mcp-stack-pg');
    // The gateway goes through PgBouncer, the migration straight to the primary.
    expect(envOf(pg.connection.env(false))).toMatchObject({ POSTGRES_HOST: 'mcp-stack-pg-pguser-mcp/pgbouncer-host', POSTGRES_PORT: 'mcp-stack-pg-pguser-mcp/pgbouncer-port' });
    expect(envOf(pg.connection.env(true))).toMatchObject({ POSTGRES_HOST: 'mcp-stack-pg-pguser-mcp/host', PGPASSWORD: 'mcp-stack-pg-pguser-mcp/password' });
    expect(pg.connection.peer(false).podLabels).toEqual({ 'postgres-operator.crunchydata.com/cluster': 'mcp-stack-pg', 'postgres-operator.crunchydata.com/role': 'pgbouncer' });
    expect(gateFindings(chart)).toEqual([]);
  });

  test('props override the defaults: names, PgBouncer off, monitoring, OpenShift, and the traffic its NetworkPolicies would admit', () => {
    const chart = userChart();
    const ctx = new StackContext({ release: 'shop', namespace: 'shop-db', platform: 'openshift' }).attach(chart);
    const pg = new PgoPostgres(chart, 'db', {
      databaseName: 'orders',
      user: 'shopper',
      postgresVersion: 16,
      pgbouncer: { enabled: false, replicas: 1, resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } }, antiAffinity: 'preferred', pdb: { enabled: false, minAvailable: 1 }, poolMode: 'session', defaultPoolSize: 1, minPoolSize: 0, reservePoolSize: 0, reservePoolTimeoutSeconds: 0, maxClientConn: 10, maxDbConnections: 10 },
      monitoring: true,
      operatorNamespaceLabels: { team: 'dba' },
      monitoringNamespaceLabels: { team: 'observability' },
      apiServerCidrs: ['172.18.0.2/32'],
    });
    const objects = objectsOf(chart);
    const cluster = of(objects, 'PostgresCluster');
    expect(cluster.metadata).toMatchObject({ name: 'shop-pg', namespace: 'shop-db' });
    expect(cluster.spec).toMatchObject({ postgresVersion: 16, openshift: true, users: [{ name: 'shopper', databases: ['orders'] }], monitoring: { pgmonitor: { exporter: {} } } });
    expect(cluster.spec.proxy).toBeUndefined();
    expect(of(objects, 'ConfigMap').data['init.sql']).toContain('\\c "orders"\nGRANT CREATE, USAGE ON SCHEMA public TO "shopper";');
    // Without PgBouncer the gateway connects to the primary too.
    expect(envOf(pg.connection.env(false)).POSTGRES_HOST).toBe('shop-pg-pguser-shopper/host');
    expect(pg.connection.peer(false).podLabels?.['postgres-operator.crunchydata.com/role']).toBe('master');
    const from = (reason: RegExp) => ctx.flows.find((f) => reason.test(f.reason));
    expect(from(/operator/)?.from).toEqual({ namespaceLabels: { team: 'dba' } });
    expect(from(/Prometheus/)?.from).toEqual({ namespaceLabels: { team: 'observability' } });
    expect(from(/Patroni keeps/)?.to).toEqual({ cidrs: ['172.18.0.2/32'] });
    expect(gateFindings(chart)).toEqual([]);
  });

  test('an existing cluster: nothing rendered, the user Secret PGO wrote for it', () => {
    const chart = userChart('apps');
    const pg = new PgoPostgres(chart, 'db', { existingCluster: 'shared-pg' });
    expect(objectsOf(chart)).toEqual([]);
    expect(pg.clusterName).toBe('shared-pg');
    expect(pg.connection.secretName).toBe('shared-pg-pguser-mcp');
  });

  test('HA props: required spreading and budgets for both sets, the object storage repository and its egress, a restore', () => {
    const chart = userChart('apps');
    const ctx = new StackContext({ release: 'shop', namespace: 'apps' }).attach(chart);
    const d = defaults.database.pgo;
    new PgoPostgres(chart, 'db', {
      instances: { ...d.instances, replicas: 3, antiAffinity: 'required', pdb: { enabled: true, minAvailable: 2 } },
      pgbouncer: { ...d.pgbouncer, replicas: 2, antiAffinity: 'required', pdb: { enabled: true, minAvailable: 1 }, maxDbConnections: 350 },
      backups: { ...d.backups, s3: { ...d.backups.s3, enabled: true, bucket: 'shop-backups', endpoint: 'minio.example.com:9000', region: 'us-east-1', uriStyle: 'path', secretName: 'shop-s3', cidrs: ['10.30.0.0/24'], port: 9000 } },
      restore: { enabled: true, id: 'r1', repoName: 'repo2', options: ['--type=immediate'] },
    });
    const c = of(objectsOf(chart), 'PostgresCluster');
    expect(c.spec.instances[0]).toMatchObject({ replicas: 3, minAvailable: 2 });
    expect(c.spec.instances[0].affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey).toBe('kubernetes.io/hostname');
    expect(c.spec.proxy.pgBouncer).toMatchObject({ replicas: 2, minAvailable: 1 });
    expect(c.spec.backups.pgbackrest.repos.map((r: any) => r.name)).toEqual(['repo1', 'repo2']);
    expect(c.spec.backups.pgbackrest.global['repo2-path']).toBe('/pgbackrest/apps/shop-pg/repo2');
    expect(c.spec.backups.pgbackrest.restore).toEqual({ enabled: true, repoName: 'repo2', options: ['--type=immediate'] });
    expect(c.metadata.annotations['postgres-operator.crunchydata.com/pgbackrest-restore']).toBe('r1');
    expect(ctx.flows.find((f) => /object storage/.test(f.reason))).toMatchObject({ from: { podLabels: { 'postgres-operator.crunchydata.com/cluster': 'shop-pg' } }, to: { cidrs: ['10.30.0.0/24'] }, ports: [{ port: 9000 }] });
    expect(gateFindings(chart)).toEqual([]);
  });

  test('the gate checks the PostgresCluster against its CRD', () => {
    const chart = userChart('apps');
    new PgoPostgres(chart, 'db', { postgresVersion: 19 });
    expect(gateFindings(chart).join('\n')).toMatch(/postgresVersion.*(18|maximum)/);
  });

  test('refuses names that cannot go into the init SQL, naming each', () => {
    const chart = userChart('apps');
    expect(() => new PgoPostgres(chart, 'db', { databaseName: 'x; DROP TABLE y', user: 'Admin' })).toThrow(
      "PgoPostgres 'app/db': invalid props:\n" +
        `  databaseName: must be a DNS-1123 label (lower-case letters, digits and '-', at most 63 characters) (received "x; DROP TABLE y")\n` +
        `  user: must be a DNS-1123 label (lower-case letters, digits and '-', at most 63 characters) (received "Admin")`,
    );
  });
});

describe('StandalonePostgres on its own', () => {
  test('with no props: the default image and Secret, the stack names, in the chart namespace', () => {
    const chart = userChart('apps');
    const pg = new StandalonePostgres(chart, 'db');
    const objects = objectsOf(chart);
    expect(ids(objects)).toEqual(['Service/apps/mcp-stack-postgres', 'StatefulSet/apps/mcp-stack-postgres']);
    const container = of(objects, 'StatefulSet').spec.template.spec.containers[0];
    expect(container.image).toBe('docker.io/library/postgres:17.6');
    expect(container.args).toEqual(['-c', 'max_connections=200']);
    expect(envOf(container.env)).toMatchObject({ POSTGRES_USER: 'mcp-stack-postgres/user', POSTGRES_PASSWORD: 'mcp-stack-postgres/password', POSTGRES_DB: 'mcp-stack-postgres/dbname' });
    expect(of(objects, 'StatefulSet').spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('5Gi');
    expect(pg.host).toBe('mcp-stack-postgres.apps.svc.cluster.local');
    expect(envOf(pg.connection.env(false))).toMatchObject({ POSTGRES_HOST: 'mcp-stack-postgres.apps.svc.cluster.local', POSTGRES_PORT: '5432', PGPASSWORD: 'mcp-stack-postgres/password' });
    expect(gateFindings(chart, ['Secret/apps/mcp-stack-postgres', 'ServiceAccount/apps/mcp-stack-workload'])).toEqual([]);
  });

  test('props override the defaults: credentials and their keys, image, storage, connections', () => {
    const chart = userChart('data');
    new StackContext({ namespace: 'data', pullPolicy: 'Always' }).attach(chart);
    const pg = new StandalonePostgres(chart, 'db', {
      credentials: { secretName: 'vault-pg', userKey: 'username', passwordKey: 'pw' },
      image: { repository: 'docker.io/library/postgres', tag: '16.4', user: 999 },
      storage: { size: '20Gi', storageClass: 'fast' },
      maxConnections: 50,
    });
    const set = of(objectsOf(chart), 'StatefulSet');
    const container = set.spec.template.spec.containers[0];
    expect(container).toMatchObject({ image: 'docker.io/library/postgres:16.4', imagePullPolicy: 'Always', args: ['-c', 'max_connections=50'] });
    expect(envOf(container.env)).toMatchObject({ POSTGRES_USER: 'vault-pg/username', POSTGRES_PASSWORD: 'vault-pg/pw', POSTGRES_DB: 'vault-pg/dbname' });
    expect(set.spec.volumeClaimTemplates[0].spec).toMatchObject({ storageClassName: 'fast', resources: { requests: { storage: '20Gi' } } });
    expect(pg.connection.secretName).toBe('vault-pg');
    expect(gateFindings(chart, ['Secret/data/vault-pg', 'ServiceAccount/data/mcp-stack-workload'])).toEqual([]);
  });
});

describe('ExternalPostgres on its own', () => {
  test('renders nothing; from parts each env var comes from its key and the kubelet composes the URL', () => {
    const chart = userChart('apps');
    const pg = new ExternalPostgres(chart, 'db', { secretName: 'app-db', sslMode: 'require', cidrs: ['10.0.0.5/32'], port: 6432 });
    expect(objectsOf(chart)).toEqual([]);
    expect(envOf(pg.connection.env(false))).toEqual({
      POSTGRES_HOST: 'app-db/host',
      POSTGRES_PORT: 'app-db/port',
      POSTGRES_DB: 'app-db/dbname',
      POSTGRES_USER: 'app-db/user',
      PGPASSWORD: 'app-db/password',
      DATABASE_URL: 'postgresql+psycopg://$(POSTGRES_USER)@$(POSTGRES_HOST):$(POSTGRES_PORT)/$(POSTGRES_DB)?sslmode=require',
    });
    expect(pg.connection.peer(false)).toEqual({ cidrs: ['10.0.0.5/32'] });
    expect(pg.connection.port(false)).toBe(6432);
  });

  test('from one URL key: only DATABASE_URL', () => {
    const pg = new ExternalPostgres(userChart(), 'db', { secretName: 'app-db', urlKey: 'uri' });
    expect(pg.connection.env(true)).toEqual([{ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'app-db', key: 'uri' } } }]);
  });

  test('refuses what cannot connect, every problem in one message', () => {
    expect(() => new ExternalPostgres(userChart(), 'db', { secretName: '', hostKey: '', passwordKey: '' })).toThrow(
      "ExternalPostgres 'app/db': invalid props:\n" +
        '  secretName: must name the Secret holding the database URL or its parts (received "")\n' +
        '  hostKey: must be set when urlKey is empty (the URL is built from the parts) (received "")\n' +
        '  passwordKey: must be set when urlKey is empty (the URL is built from the parts) (received "")',
    );
    expect(() => new ExternalPostgres(userChart(), 'db', { secretName: 'app-db', urlKey: 'uri', sslMode: 'require' })).toThrow(
      'sslMode: must be empty with urlKey (put sslmode in the URL itself): it applies to a URL built from parts only (received "require")',
    );
  });
});

describe('Postgres picks the mode', () => {
  const kinds = (chart: Chart) => objectsOf(chart).map((o) => o.kind);

  test('standalone by default, with no props', () => {
    const chart = new Chart(userApp(), 'plain');
    const pg = new Postgres(chart, 'db');
    expect(kinds(chart)).toEqual(['Service', 'StatefulSet']);
    expect(pg.connection.secretName).toBe('mcp-stack-postgres');
  });

  test('pgo with its block, the database names and the traffic props', () => {
    const chart = userChart('apps');
    const ctx = StackContext.of(chart);
    const pg = new Postgres(chart, 'db', { mode: 'pgo', name: 'orders', user: 'shopper', apiServerCidrs: ['10.96.0.1/32'] });
    expect(kinds(chart)).toEqual(['ConfigMap', 'PostgresCluster']);
    expect(pg.connection.secretName).toBe('mcp-stack-pg-pguser-shopper');
    expect(ctx.flows.find((f) => /Patroni keeps/.test(f.reason))?.to).toEqual({ cidrs: ['10.96.0.1/32'] });
  });

  test('external with its block; refused without a Secret', () => {
    const chart = userChart('apps');
    const pg = new Postgres(chart, 'db', { mode: 'external', external: { ...databaseExternalDefaults, secretName: 'app-db' } });
    expect(kinds(chart)).toEqual([]);
    expect(pg.connection.secretName).toBe('app-db');
    expect(() => new Postgres(userChart(), 'db', { mode: 'external' })).toThrow("ExternalPostgres 'app/db/External': invalid props:\n  secretName: must name the Secret holding the database URL or its parts (received \"\")");
  });
});

