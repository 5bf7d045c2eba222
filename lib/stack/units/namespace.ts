/**
 * The stack's namespace (restricted Pod Security enforced), the one ServiceAccount its pods run as, and the
 * ExternalSecrets that write the Secrets the pods read, when the values ask for them.
 */
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { StackContext } from '../../constructs/core/context';
import { StackExternalSecret, wantedExternalSecrets } from '../../constructs/external-secrets';
import { StackNamespace, WorkloadServiceAccount } from '../../constructs/namespace';
import type { Values } from '../../../profiles/schema';

export class NamespaceChart extends Chart {
  constructor(scope: Construct, id: string, ctx: StackContext, v: Values) {
    super(scope, id);
    if (v.release.createNamespace) new StackNamespace(this, 'Namespace', { context: ctx });
    new WorkloadServiceAccount(this, 'Workload', { context: ctx });
    for (const secret of wantedExternalSecrets({ secrets: v.secrets, release: ctx.release, standaloneDatabase: v.database.mode === 'standalone' })) {
      new StackExternalSecret(this, `ExternalSecret-${secret.component}`, { context: ctx, ...secret });
    }
  }
}
