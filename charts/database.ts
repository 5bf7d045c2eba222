/** The database unit: kept apart from the platform so uninstalling the platform never takes the data with it. */
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { StackContext } from '../lib/core/context';
import { Postgres, type DatabaseConnection } from '../lib/postgres';

export class DatabaseChart extends Chart {
  readonly connection: DatabaseConnection;

  constructor(scope: Construct, id: string, ctx: StackContext) {
    super(scope, id);
    this.connection = new Postgres(this, 'Postgres', { ctx }).connection;
  }
}
