import type { Construct } from 'constructs';
import { k8s, type StackContext } from './context';

/** A PDB keeping `minAvailable` pods of a component up during drains. */
export function podDisruptionBudget(scope: Construct, ctx: StackContext, component: string, name: string, minAvailable: number, version: string): void {
  new k8s.KubePodDisruptionBudget(scope, 'Disruption', {
    metadata: ctx.meta(component, name, { version }),
    spec: { minAvailable: k8s.IntOrString.fromNumber(minAvailable), selector: { matchLabels: ctx.selector(component) } },
  });
}
