/** The Helm chart's test hooks: `helm test` asks the gateway for its health through its Service. */
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { StackContext } from '../../constructs/core/context';
import type { Gateway } from '../../constructs/gateway';
import { GatewayHealthTest } from '../../constructs/gateway-health-test';
import type { Values } from '../../../profiles/schema';

export class TestsChart extends Chart {
  constructor(scope: Construct, id: string, ctx: StackContext, v: Values, gateway: Gateway) {
    super(scope, id);
    new GatewayHealthTest(this, 'GatewayHealth', { context: ctx, gateway, networkPolicies: v.networkPolicies.enabled });
  }
}
