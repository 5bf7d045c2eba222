/**
 * The platform unit: Redis, the gateway with its Jobs, the fast-time-server, NGINX and the way in, and the admission
 * policy that holds tenant namespaces to the tenant image rules.
 */
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { StackContext } from '../../constructs/core/context';
import { Exposure, frontDoorNamespaces } from '../../constructs/exposure';
import { FastTimeServer } from '../../constructs/fast-time-server';
import { Gateway } from '../../constructs/gateway';
import { jobHash, MigrationJob, migrationJobInputs, RegistrationJob, REGISTRATION_JOB_INPUTS, registrationScriptsDigest } from '../../constructs/gateway-jobs';
import { allowGatewayEgress } from '../../constructs/gateway-egress';
import { NginxProxy } from '../../constructs/nginx-proxy';
import type { DatabaseConnection } from '../../constructs/postgres';
import { Redis } from '../../constructs/redis';
import { pgExporterPodMonitor, scrapeJob, StackAlerts } from '../../constructs/monitoring';
import { PGMONITOR_EXPORTER_PORT } from '../../constructs/postgres';
import { gatewaySecretRef, pgoClusterName, redisSecretRef } from '../../constructs/core/naming';
import { tenantGatewayFlowsByLabel } from '../../constructs/tenants/flows';
import { tenantRegistration } from '../../constructs/tenants/registration';
import { TenantImagePolicy } from '../../constructs/tenants/admission';
import type { Values } from '../../../profiles/schema';

export class PlatformChart extends Chart {
  readonly gateway: Gateway;
  readonly nginx?: NginxProxy;
  readonly fastTime?: FastTimeServer;

  constructor(scope: Construct, id: string, ctx: StackContext, v: Values, database: DatabaseConnection) {
    super(scope, id);
    const redisSecret = redisSecretRef(v);
    const redis = new Redis(this, 'Redis', { context: ctx, image: v.images.redis, ...v.redis, password: { secretName: redisSecret.name, key: redisSecret.passwordKey } });
    this.gateway = new Gateway(this, 'Gateway', { context: ctx, image: v.images.gateway, ...v.gateway, secretName: gatewaySecretRef(v), database, redis, metrics: v.observability.metrics, tracing: v.observability.tracing, monitoringNamespaceLabels: v.networkPolicies.monitoringNamespaceLabels });
    // The pgmonitor exporter's PodMonitor lives here, not with the database (whose objects are kept on removal), so
    // turning it off removes it. It selects the stack's own PGO cluster or the existing one.
    const pgCluster = v.database.pgo.existingCluster || pgoClusterName(v.release.name);
    const exporter = v.observability.metrics.postgresExporter ? pgExporterPodMonitor(this, ctx, pgCluster, PGMONITOR_EXPORTER_PORT, v.observability.metrics.interval) : undefined;
    if (v.observability.alerts.enabled && this.gateway.scrapeJob) {
      const kind = v.observability.metrics.monitor;
      new StackAlerts(this, 'Alerts', {
        context: ctx,
        gateway: { job: this.gateway.scrapeJob, monitor: `${kind} ${this.gateway.serviceName}`, tokenSecret: this.gateway.metricsTokenSecret },
        ...(exporter ? { postgres: { job: scrapeJob('PodMonitor', ctx.namespace, exporter, ''), cluster: pgCluster } } : {}),
      });
    }
    const migrationName = ctx.name(`migrate-${jobHash(v, migrationJobInputs(v.database.mode))}`);
    new MigrationJob(this, 'Migration', { context: ctx, ...v.migration, gateway: this.gateway, database, jobName: migrationName });
    if (v.fastTimeServer.enabled) {
      this.fastTime = new FastTimeServer(this, 'FastTimeServer', { context: ctx, image: v.images.fastTimeServer, ...v.fastTimeServer });
      ctx.allow({ from: { component: 'gateway' }, to: { component: 'fast-time-server' }, ports: [{ port: this.fastTime.containerPort }], reason: 'the gateway calls the MCP time server' });
      const registrationName = ctx.name(`register-${jobHash(v, REGISTRATION_JOB_INPUTS, registrationScriptsDigest())}`);
      if (v.registration.enabled) new RegistrationJob(this, 'Registration', { context: ctx, ...v.registration, gateway: this.gateway, fastTime: this.fastTime, jobName: registrationName });
    }
    // One rule per proxy port on the tenant-namespace label keeps the gateway's policy small at any tenant count.
    for (const flow of tenantGatewayFlowsByLabel(v)) ctx.allow(flow);
    tenantRegistration(this, v, ctx, this.gateway);
    // Cluster-wide, for every tenant namespace, whether or not this output holds tenants (their files come and go).
    // Here, not in the kept namespace unit, so turning it off removes it.
    if (v.tenants.admission === 'validating-admission-policy') {
      new TenantImagePolicy(this, 'TenantImages', { context: ctx, registryAllowList: v.tenants.registryAllowList, requireDigests: v.images.requireDigests });
    }
    const frontDoor = frontDoorNamespaces(v.exposure.type, v.networkPolicies);
    if (v.nginx.enabled) this.nginx = new NginxProxy(this, 'Nginx', { context: ctx, image: v.images.nginx, ...v.nginx, upstream: this.gateway, clientNamespaceLabels: frontDoor });
    const front = this.nginx ?? this.gateway;
    new Exposure(this, 'Exposure', { context: ctx, ...v.exposure, service: front });
    if (!this.nginx && frontDoor) {
      ctx.allow({ from: { namespaceLabels: frontDoor }, to: { component: 'gateway' }, ports: [{ port: 4444 }], reason: 'clients arrive through the ingress controller' });
    }
    allowGatewayEgress(ctx, v.networkPolicies.gatewayEgress);
  }
}
