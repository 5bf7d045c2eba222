/** The benchmark unit: the Locust MCP load test, off unless asked for (`--with-benchmark` or `benchmark.enabled`). */
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { StackContext } from '../../constructs/core/context';
import { GATEWAY_PORT, type Gateway } from '../../constructs/gateway';
import { LocustBenchmark, type BenchmarkGateway, type BenchmarkTarget } from '../../constructs/locust';
import type { NginxProxy } from '../../constructs/nginx-proxy';
import { NGINX_HTTP_PORT } from '../../constructs/nginx-config';
import type { Values } from '../../../profiles/schema';

export type { BenchmarkGateway } from '../../constructs/locust';

export class BenchmarkChart extends Chart {
  readonly benchmark: LocustBenchmark;

  constructor(scope: Construct, id: string, ctx: StackContext, v: Values, target: BenchmarkTarget, gateway: BenchmarkGateway) {
    super(scope, id);
    this.benchmark = new LocustBenchmark(this, 'Locust', {
      context: ctx,
      image: v.images.locust,
      ...v.benchmark,
      target,
      gateway: { ...gateway, user: v.images.gateway.user },
    });
  }
}

/** The load goes where clients' requests go: NGINX when the stack has it, else straight to the gateway. */
export function benchmarkTarget(platform: { readonly gateway: Gateway; readonly nginx?: NginxProxy }): BenchmarkTarget {
  if (platform.nginx) {
    return { serviceName: platform.nginx.serviceName, port: platform.nginx.servicePort, component: 'nginx', containerPort: NGINX_HTTP_PORT };
  }
  const g = platform.gateway;
  return { serviceName: g.serviceName, port: g.servicePort, component: 'gateway', containerPort: GATEWAY_PORT };
}

export function benchmarkGateway(gateway: Gateway): BenchmarkGateway {
  return { secretName: gateway.secretName, configMapName: gateway.configMapName, image: gateway.image };
}
