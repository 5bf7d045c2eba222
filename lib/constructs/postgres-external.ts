/**
 * `database.mode: external`: any Postgres (a managed service, CloudNativePG, a PGO cluster elsewhere), reached with
 * a Secret the user provides. Either one key holds the whole URL, or the URL is composed by the kubelet from the
 * host, port, database, user and password keys, so no credential appears in the spec. Nothing is rendered for the
 * database itself; the NetworkPolicies let its clients reach `database.external.cidrs` on its port, nothing else.
 */
import { Construct, type IConstruct } from 'constructs';
import { databaseExternalDefaults, URL_PART_KEYS, type DatabaseExternal } from '../../profiles/database-schema';
import { composedDatabaseUrl, fromSecret, type DatabaseConnection } from './database-connection';
import { propProblem, refuseProps } from './core/props-check';

/**
 * The Secret and where the database is, as under `database.external` in the values. Only `secretName` is required;
 * the key names default to those of PGO's and CloudNativePG's Secrets (`host`, `port`, `dbname`, `user`, `password`).
 */
export interface ExternalPostgresProps extends Partial<DatabaseExternal> {
  /** The Secret (in the namespace of the pods that connect) holding the URL or its parts. */
  readonly secretName: string;
}

/** A Postgres the app does not run: no objects, only the connection its clients use. */
export class ExternalPostgres extends Construct {
  readonly connection: DatabaseConnection;

  constructor(scope: Construct, id: string, props: ExternalPostgresProps) {
    super(scope, id);
    const e: DatabaseExternal = { ...databaseExternalDefaults, ...props };
    refuseIncomplete(this, e);
    const secret = e.secretName;
    const env = e.urlKey
      ? [fromSecret('DATABASE_URL', secret, e.urlKey)]
      : [
          fromSecret('POSTGRES_HOST', secret, e.hostKey),
          fromSecret('POSTGRES_PORT', secret, e.portKey),
          fromSecret('POSTGRES_DB', secret, e.databaseKey),
          fromSecret('POSTGRES_USER', secret, e.userKey),
          fromSecret('PGPASSWORD', secret, e.passwordKey),
          composedDatabaseUrl(e.sslMode ? `?sslmode=${e.sslMode}` : ''),
        ];
    this.connection = {
      secretName: secret,
      env: () => env,
      peer: () => ({ cidrs: e.cidrs }),
      port: () => e.port,
    };
  }
}

/** What the values schema refuses for the stack, refused here for a construct made on its own (all problems at once). */
function refuseIncomplete(scope: IConstruct, e: DatabaseExternal): void {
  const problems: string[] = [];
  if (!e.secretName) problems.push(propProblem('secretName', e.secretName, 'must name the Secret holding the database URL or its parts'));
  if (!e.urlKey) {
    for (const k of URL_PART_KEYS.filter((key) => !e[key])) problems.push(propProblem(k, e[k], 'must be set when urlKey is empty (the URL is built from the parts)'));
  } else if (e.sslMode) {
    problems.push(propProblem('sslMode', e.sslMode, 'must be empty with urlKey (put sslmode in the URL itself): it applies to a URL built from parts only'));
  }
  refuseProps(scope, 'ExternalPostgres', problems);
}
