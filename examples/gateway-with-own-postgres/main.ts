/**
 * A cdk8s app that runs the ContextForge gateway against a Postgres the team already has. It uses the package's
 * constructs directly: no profile, no values file, only the props it wants to change.
 */
import { App, Chart } from 'cdk8s';
import {
  ExternalPostgres,
  Gateway,
  MigrationJob,
  Redis,
  StackContext,
  StackNamespace,
  WorkloadServiceAccount,
} from 'mcp-stack-cdk8s';

const app = new App();
const chart = new Chart(app, 'team-a-gateway');

// One release in the team's namespace: every construct below finds it through the chart.
new StackContext({ release: 'team-a', namespace: 'team-a-mcp' }).attach(chart);
new StackNamespace(chart, 'namespace');
new WorkloadServiceAccount(chart, 'account');

// The team's Postgres, from a Secret they keep (keys host, port, dbname, user, password), on their database subnet.
const database = new ExternalPostgres(chart, 'database', {
  secretName: 'team-a-postgres',
  sslMode: 'require',
  cidrs: ['10.20.0.0/16'],
}).connection;

const redis = new Redis(chart, 'redis', { maxClients: 2000 });
const gateway = new Gateway(chart, 'gateway', { replicas: 2, database, redis });
// The gateway's pods start once this Job has brought the schema to the release's head.
new MigrationJob(chart, 'migration', { gateway, database });

app.synth();
