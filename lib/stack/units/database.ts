/** The database unit: kept apart from the platform so uninstalling the platform never takes the data with it. */
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { StackContext } from '../../constructs/core/context';
import { standalonePostgresSecretRef } from '../../constructs/core/naming';
import { Postgres, type DatabaseConnection } from '../../constructs/postgres';
import type { Values } from '../../../profiles/schema';

export class DatabaseChart extends Chart {
  readonly connection: DatabaseConnection;

  constructor(scope: Construct, id: string, ctx: StackContext, v: Values) {
    super(scope, id);
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
