/** Helpers for constructs used on their own, in a plain cdk8s Chart as a user's app would make them. */
import { App, Chart, Testing } from 'cdk8s';
import { validateDocuments } from '../../lib/gate';
import type { ExternalRefKind } from '../../lib/gate/types';

/**
 * An App for tests. Its output folder is never written (the tests read charts in memory), so none is made:
 * `Testing.app()` alone makes a temporary folder per call and leaves it behind.
 */
export function testApp(): App {
  return Testing.app({ outdir: 'unused' });
}

/** A user's chart: an App with one Chart, optionally in a namespace. */
export function userChart(namespace?: string): Chart {
  return new Chart(testApp(), 'app', namespace ? { namespace } : {});
}

/** The chart's objects as `cdk8s synth` writes them. */
export function objectsOf(chart: Chart): any[] {
  return Testing.synth(chart);
}

/** Objects the user's app brings itself (the Secrets and the ServiceAccount the pods name), as `Kind/namespace/name`. */
export type External = `${ExternalRefKind}/${string}/${string}`;

/** The gate's errors and warnings for the chart's objects, under the least demanding policy (the `kind` profile's). */
export function gateFindings(chart: Chart, external: readonly External[] = []): string[] {
  const externalRefs = external.map((ref) => {
    const [kind, namespace, name] = ref.split('/');
    return { kind: kind as ExternalRefKind, namespace, name };
  });
  const documents = objectsOf(chart).map((object, i) => ({ file: `app.k8s.yaml#${i}`, object }));
  const policy = { profile: 'kind', forbidFixedUids: false, requireDigests: false, requireNetworkPolicies: false, requirePdb: false, externalRefs };
  const report = validateDocuments(documents, { policy });
  return report.findings.map((f) => `${f.rule}: ${f.message}`);
}
