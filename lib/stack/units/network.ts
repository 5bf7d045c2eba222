/** NetworkPolicies for the stack namespace, from the flows every other unit declared. Built last for that reason. */
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { StackContext } from '../../constructs/core/context';
import { NetworkPolicies } from '../../constructs/network-policies';

export class NetworkChart extends Chart {
  constructor(scope: Construct, id: string, ctx: StackContext) {
    super(scope, id);
    new NetworkPolicies(this, 'Policies', { context: ctx });
  }
}
