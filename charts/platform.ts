/** The platform unit: Redis, the gateway with its Jobs, the fast-time-server, NGINX and the way in. */
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { StackContext } from '../lib/core/context';
import { Exposure } from '../lib/exposure';
import { FastTimeServer } from '../lib/fast-time-server';
import { Gateway } from '../lib/gateway';
import { MigrationJob, RegistrationJob } from '../lib/gateway-jobs';
import { allowGatewayEgress } from '../lib/gateway-egress';
import { frontDoorNamespaces, NginxProxy } from '../lib/nginx-proxy';
import type { DatabaseConnection } from '../lib/postgres';
import { Redis } from '../lib/redis';
import { redisSecretRef } from '../lib/core/naming';
import { tenantGatewayFlowsByLabel } from '../lib/tenants/flows';
import { tenantRegistration } from '../lib/tenants/registration';

export class PlatformChart extends Chart {
  readonly gateway: Gateway;
  readonly nginx?: NginxProxy;
  readonly fastTime?: FastTimeServer;

  constructor(scope: Construct, id: string, ctx: StackContext, database: DatabaseConnection) {
    super(scope, id);
    const v = ctx.values;
    const redisSecret = redisSecretRef(v);
    const redis = new Redis(this, 'Redis', { context: ctx, image: v.images.redis, ...v.redis, password: { secretName: redisSecret.name, key: redisSecret.passwordKey } });
    this.gateway = new Gateway(this, 'Gateway', { ctx, database, redis });
    new MigrationJob(this, 'Migration', { ctx, gateway: this.gateway, database });
    if (v.fastTimeServer.enabled) {
      this.fastTime = new FastTimeServer(this, 'FastTimeServer', { ctx });
      ctx.allow({ from: { component: 'gateway' }, to: { component: 'fast-time-server' }, ports: [{ port: this.fastTime.containerPort }], reason: 'the gateway calls the MCP time server' });
      if (v.registration.enabled) new RegistrationJob(this, 'Registration', { ctx, gateway: this.gateway, fastTime: this.fastTime });
    }
    // One rule per proxy port on the tenant-namespace label keeps the gateway's policy small at any tenant count.
    for (const flow of tenantGatewayFlowsByLabel(v)) ctx.allow(flow);
    tenantRegistration(this, v, ctx, this.gateway);
    if (v.nginx.enabled) this.nginx = new NginxProxy(this, 'Nginx', { ctx, gateway: this.gateway });
    const front = this.nginx ?? this.gateway;
    new Exposure(this, 'Exposure', { ctx, serviceName: front.serviceName, servicePort: front.servicePort });
    const frontDoor = frontDoorNamespaces(ctx);
    if (!this.nginx && frontDoor) {
      ctx.allow({ from: { namespaceLabels: frontDoor }, to: { component: 'gateway' }, ports: [{ port: 4444 }], reason: 'clients arrive through the ingress controller' });
    }
    allowGatewayEgress(ctx);
  }
}
