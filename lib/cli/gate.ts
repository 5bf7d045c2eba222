/** The output gate as the synth runs it: every file of a profile, with that profile's policy. */
import { load } from 'js-yaml';
import type { Values } from '../../profiles/schema';
import { expectedSecrets } from '../secrets';
import { tenantExternalSecrets } from '../tenants';
import type { OutputGate } from './synth';

interface GateModule {
  validateDocuments(docs: { file: string; object: unknown }[], options?: { policy?: unknown }): { errors: number; warnings: number };
  formatReport(report: unknown): string;
}

/** Gate policy of a profile, from its values. */
export function gatePolicy(values: Values) {
  const c = values.cluster;
  return {
    profile: values.profile,
    forbidFixedUids: values.platform === 'openshift',
    requireDigests: values.images.requireDigests,
    requireNetworkPolicies: values.networkPolicies.enabled,
    requirePdb: values.profile === 'production',
    externalRefs: externalRefs(values),
    cluster: { name: c.name, nodes: c.nodes, cpu: c.cpu, memory: c.memory, reservedCpu: c.reservedCpu, reservedMemory: c.reservedMemory },
  };
}

/** Objects the stack reads but never writes: every Secret of `expectedSecrets`, plus the image pull Secrets. */
export function externalRefs(values: Values): { kind: 'Secret'; namespace: string; name: string }[] {
  const names = [...expectedSecrets(values).map((s) => s.name), ...values.images.pullSecrets];
  const stack = [...new Set(names)].sort().map((name) => ({ kind: 'Secret' as const, namespace: values.release.namespace, name }));
  return [...stack, ...tenantExternalSecrets(values)];
}

export const synthGate: OutputGate = (values, files) => {
  const gate = require('../validation') as GateModule;
  const docs: { file: string; object: unknown }[] = [];
  for (const [file, text] of files) {
    for (const object of text.split(/^---$/m).map((d) => load(d)).filter((d) => d != null)) docs.push({ file, object });
  }
  const report = gate.validateDocuments(docs, { policy: gatePolicy(values) });
  return { ok: report.errors === 0, report: report.errors || report.warnings ? gate.formatReport(report) : '' };
};
