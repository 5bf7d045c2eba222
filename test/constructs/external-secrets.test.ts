import { StackContext } from '../../lib/constructs/core/context';
import { StackExternalSecret, wantedExternalSecrets } from '../../lib/constructs/external-secrets';
import { defaults } from '../../profiles/defaults';
import { gateFindings, objectsOf, userChart } from './support';

describe('StackExternalSecret on its own', () => {
  test('writes the named Secret from the store, one key per reference, refreshed hourly by default', () => {
    const chart = userChart('apps');
    new StackExternalSecret(chart, 'redis-password', {
      component: 'redis',
      target: 'cache-credentials',
      secretStoreRef: { name: 'vault', kind: 'ClusterSecretStore' },
      data: [{ secretKey: 'REDIS_PASSWORD', key: 'apps/cache', property: 'password' }, { secretKey: 'WHOLE', key: 'apps/whole' }],
    });
    const [es] = objectsOf(chart);
    expect(es).toMatchObject({ apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'mcp-stack-redis', namespace: 'apps' } });
    expect(es.spec).toEqual({
      secretStoreRef: { name: 'vault', kind: 'ClusterSecretStore' },
      refreshInterval: '1h',
      target: { name: 'cache-credentials', creationPolicy: 'Owner' },
      data: [
        { secretKey: 'REDIS_PASSWORD', remoteRef: { key: 'apps/cache', property: 'password' } },
        { secretKey: 'WHOLE', remoteRef: { key: 'apps/whole' } },
      ],
    });
    // Checked against the External Secrets Operator's CRD schema.
    expect(gateFindings(chart)).toEqual([]);
  });

  test('the stack asks for one per enabled credential, Postgres only with the database in the stack', () => {
    const on = { ...defaults.secrets.postgres.externalSecret, enabled: true, secretStoreRef: { name: 'vault', kind: 'SecretStore' as const } };
    const secrets = { ...defaults.secrets, redis: { ...defaults.secrets.redis, existingSecret: 'mine' }, postgres: { ...defaults.secrets.postgres, externalSecret: on } };
    expect(wantedExternalSecrets({ secrets, release: 'r', standaloneDatabase: false })).toEqual([]);
    const [pg] = wantedExternalSecrets({ secrets, release: 'r', standaloneDatabase: true });
    expect(pg).toMatchObject({ component: 'postgres', target: 'r-postgres' });
    expect(pg.data.map((d) => d.secretKey)).toEqual([defaults.secrets.postgres.userKey, defaults.secrets.postgres.passwordKey, defaults.secrets.postgres.databaseKey]);
    const chart = userChart();
    new StackContext({ release: 'r', namespace: 'n' }).attach(chart);
    new StackExternalSecret(chart, 'pg', pg);
    expect(objectsOf(chart)[0].metadata).toMatchObject({ name: 'r-postgres', namespace: 'n' });
  });
});
