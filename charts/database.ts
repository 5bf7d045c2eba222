/** The database unit: kept apart from the platform so uninstalling the platform never takes the data with it. */
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { StackContext } from '../lib/core/context';
import { standalonePostgresSecretRef } from '../lib/core/naming';
import { Postgres, type DatabaseConnection } from '../lib/postgres';

export class DatabaseChart extends Chart {
  readonly connection: DatabaseConnection;

  constructor(scope: Construct, id: string, ctx: StackContext) {
    super(scope, id);
    const v = ctx.values;
    const np = v.networkPolicies;
    const { name: secretName, ...keys } = standalonePostgresSecretRef(v);
    this.connection = new Postgres(this, 'Postgres', {
      context: ctx,
      ...v.database,
      image: v.images.postgres,
      credentials: { secretName, ...keys },
      operatorNamespaceLabels: np.pgoOperatorNamespaceLabels,
      monitoringNamespaceLabels: np.monitoringNamespaceLabels,
      apiServerCidrs: np.apiServer.cidrs,
    }).connection;
  }
}
