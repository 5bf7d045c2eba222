/** The output gate as the synth runs it: every file of a profile, with the policy that profile's values imply. */
export { gatePolicy };
import { loadAll } from 'js-yaml';
import { formatReport, gatePolicy, validateDocuments, type GateDocument } from '../validation';
import type { OutputGate } from './synth';

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
