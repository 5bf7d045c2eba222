/** The output gate as the synth runs it: every file of a profile, with the policy that profile's values imply. */
export { gatePolicy };
import { formatReport, gatePolicy, validateDocuments, type GateDocument } from '../gate';
import { loadKubectlStream } from '../gate/load';
import { readBack } from '../gate/written';
import type { OutputGate } from './synth';

/**
 * Documents are read as kubectl reads them (YAML 1.1 scalars), like `validate` does. For a stream the synth wrote
 * from objects, `readWritten` proves (or not) that those objects read back as themselves, and the gate takes them
 * from `written` instead of parsing the text; any other file is parsed.
 */
export const synthGate: OutputGate = Object.assign(
  (values: Parameters<OutputGate>[0], files: Parameters<OutputGate>[1], written?: Parameters<OutputGate>[2]) => {
    const docs: GateDocument[] = [];
    for (const [file, text] of files) {
      // `Kustomization` is not a manifest; everything else is YAML.
      if (!/\.ya?ml$/.test(file)) continue;
      const objects = written?.get(text) ?? loadKubectlStream(text);
      for (const object of objects) docs.push({ file, object });
    }
    const report = validateDocuments(docs, { policy: gatePolicy(values) });
    return { ok: report.errors === 0, report: report.errors || report.warnings ? formatReport(report) : '' };
  },
  { readWritten: readBack },
);
