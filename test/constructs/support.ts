/** Helpers for constructs used on their own, in a plain cdk8s Chart as a user's app would make them. */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Chart, Testing } from 'cdk8s';
import { validateDocuments } from '../../lib/gate';
import type { ExternalRefKind } from '../../lib/gate/types';

/**
 * A user's App. The tests read its objects without writing them, so its output folder is never created
 * (`Testing.app()` with no folder makes a temporary one and never removes it).
 */
export function userApp(): App {
  return Testing.app({ outdir: join(tmpdir(), 'cdk8s-user-app-never-written') });
}

/** A user's chart: an App with one Chart, optionally in a namespace. */
export function userChart(namespace?: string): Chart {
  return new Chart(userApp(), 'app', namespace ? { namespace } : {});
}

/** The chart's objects as `cdk8s synth` writes them. */
export function objectsOf(chart: Chart): any[] {
  return Testing.synth(chart);
}

/** Objects the user's app brings itself (the Secrets and the ServiceAccount the pods name), as `Kind/namespace/name`. */
export type External = `${ExternalRefKind}/${string}/${string}`;

/** The gate's errors and warnings for the chart's objects, under the least demanding policy (the `kind` profile's). */
export function gateFindings(chart: Chart, external: readonly External[] = []): string[] {
  return gateFindingsOf(objectsOf(chart), external);
}

/** The same for objects already synthesized (e.g. read back from what `cdk8s synth` wrote). */
export function gateFindingsOf(objects: readonly any[], external: readonly External[] = []): string[] {
  const externalRefs = external.map((ref) => {
    const [kind, namespace, name] = ref.split('/');
    return { kind: kind as ExternalRefKind, namespace, name };
  });
  const documents = objects.map((object, i) => ({ file: `app.k8s.yaml#${i}`, object }));
  const policy = { profile: 'kind', forbidFixedUids: false, requireDigests: false, requireNetworkPolicies: false, requirePdb: false, externalRefs };
  const report = validateDocuments(documents, { policy });
  return report.findings.map((f) => `${f.rule}: ${f.message}`);
}
