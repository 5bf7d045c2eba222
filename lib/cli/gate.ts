/** The output gate as the synth runs it: every file of a profile, with the policy that profile's values imply. */
import { loadAll } from 'js-yaml';
import type { Values } from '../../profiles/schema';
import { expectedSecrets } from '../secrets';
import { resolveTenants, tenantExternalSecrets } from '../tenants';
import { formatReport, validateDocuments, type GateDocument, type GatePolicy } from '../validation';
import type { OutputGate } from './synth';

/** Gate policy of a profile, from its values. */
export function gatePolicy(values: Values): GatePolicy {
  const c = values.cluster;
  return {
    profile: values.profile,
    forbidFixedUids: values.platform === 'openshift',
    requireDigests: values.images.requireDigests,
    requireNetworkPolicies: values.networkPolicies.enabled,
    requirePdb: values.profile === 'production',
    // ServiceMonitors appear only for tenant servers that ask for metrics, on clusters that run the Prometheus Operator.
    monitoring: resolveTenants(values).some((t) => t.servers.some((s) => s.monitoring)),
    externalRefs: externalRefs(values),
    cluster: { name: c.name, nodes: c.nodes, cpu: c.cpu, memory: c.memory, reservedCpu: c.reservedCpu, reservedMemory: c.reservedMemory },
    // The database unit is its own ArgoCD Application (and Helm release), synced before the platform's hooks run.
    priorFiles: ['00-namespace.yaml', '10-database.yaml'],
  };
}

/** Objects the stack reads but never writes: every Secret of `expectedSecrets`, image pull Secrets, tenant Secrets. */
export function externalRefs(values: Values): NonNullable<GatePolicy['externalRefs']> {
  const names = [...expectedSecrets(values).map((s) => s.name), ...values.images.pullSecrets];
  const stack = [...new Set(names)].sort().map((name) => ({ kind: 'Secret' as const, namespace: values.release.namespace, name }));
  return [...stack, ...tenantExternalSecrets(values)];
}

export const synthGate: OutputGate = (values, files) => {
  const docs: GateDocument[] = [];
  for (const [file, text] of files) {
    // `Kustomization` is not a manifest; everything else is YAML.
    if (!/\.ya?ml$/.test(file)) continue;
    for (const object of loadAll(text).filter((d) => d != null)) docs.push({ file, object });
  }
  const report = validateDocuments(docs, { policy: gatePolicy(values) });
  return { ok: report.errors === 0, report: report.errors || report.warnings ? formatReport(report) : '' };
};
