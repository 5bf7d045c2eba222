/**
 * The database: a CrunchyData PGO PostgresCluster (ocp, production: the stack's own or an existing one), a
 * standalone Postgres StatefulSet (kind, so a laptop needs no operator), or any Postgres given by a Secret. Each
 * hands the consumers a `DatabaseConnection`: the same env var names whichever mode, with the gateway going through
 * the pooler when there is one and the migration straight to Postgres.
 */
import { Construct } from 'constructs';
import { defaults } from '../../profiles/defaults';
import type { Image, Values } from '../../profiles/schema';
import type { StackContext } from './core/context';
import type { DatabaseConnection } from './database-connection';
import { ExternalPostgres } from './postgres-external';
import { PgoPostgres, type PgoTraffic } from './postgres-pgo';
import { StandalonePostgres, type PostgresCredentials } from './postgres-standalone';

export { PGMONITOR_EXPORTER_PORT, PgoPostgres, type PgoPostgresProps, type PgoSettings, type PgoTraffic } from './postgres-pgo';
export { StandalonePostgres, type PostgresCredentials, type StandalonePostgresProps, type StandaloneSettings } from './postgres-standalone';
export { ExternalPostgres, type ExternalPostgresProps } from './postgres-external';
export type { DatabaseConnection } from './database-connection';

/** The mode and each mode's settings, as under `database` in the values. */
export type DatabaseSettings = Values['database'];

/**
 * Every setting is optional and defaults to `database` of `profiles/defaults.ts` (the standalone mode). Only the
 * block of the chosen mode is read: `standalone` with `image` and `credentials`; `pgo` with `name`, `user` and the
 * `PgoTraffic` props; `external`.
 */
export interface PostgresProps extends Partial<DatabaseSettings>, PgoTraffic {
  /** Release, namespace, platform and registry. @default StackContext.of(scope) */
  readonly context?: StackContext;
  /** The standalone mode's image. @default the default Postgres image (docker.io/library/postgres, user 999) */
  readonly image?: Image;
  /** The standalone mode's credentials Secret. @default `<release>-postgres`, keys `user`, `password`, `dbname` */
  readonly credentials?: PostgresCredentials;
}

/** The database in whichever mode `mode` selects. */
export class Postgres extends Construct {
  readonly connection: DatabaseConnection;

  constructor(scope: Construct, id: string, props: PostgresProps = {}) {
    super(scope, id);
    const { context, image, credentials, operatorNamespaceLabels, monitoringNamespaceLabels, apiServerCidrs } = props;
    const d: DatabaseSettings = { ...defaults.database, ...props };
    if (d.mode === 'pgo') {
      this.connection = new PgoPostgres(this, 'Pgo', {
        context,
        ...d.pgo,
        databaseName: d.name,
        user: d.user,
        operatorNamespaceLabels,
        monitoringNamespaceLabels,
        apiServerCidrs,
      }).connection;
    } else if (d.mode === 'external') {
      this.connection = new ExternalPostgres(this, 'External', d.external).connection;
    } else {
      this.connection = new StandalonePostgres(this, 'Standalone', { context, image, credentials, ...d.standalone }).connection;
    }
  }
}
