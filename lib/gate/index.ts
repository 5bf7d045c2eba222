/**
 * The output gate: strict offline validation of rendered manifests. Stages run in order over the same
 * documents and every finding lands in one sorted report:
 * schema (core kinds and CRDs with CEL) → semantics → references → pod policy → cluster policy → hygiene →
 * cross-component invariants → capacity.
 */
import { checkCapacity } from './capacity';
import { checkHygiene } from './hygiene';
import { checkConnectionBudget } from './invariants-db';
import { checkJobs } from './invariants-jobs';
import { checkTraffic } from './invariants-traffic';
import { buildModel, formatPath, isPlainObject, objectId } from './model';
import { checkPods } from './pods';
import { checkPodPolicy } from './policy';
import { checkClusterPolicy } from './policy-cluster';
import { checkReferences } from './references';
import { sortFindings, sortNotEvaluable } from './report';
import { validateSchemas } from './schema';
import { checkSemantics } from './semantic';
import { checkServerFormats } from './server-formats';
import { checkLimitRanges } from './policy-limits';
import { createSink, type CapacityResult, type Finding, type GateDocument, type GateOptions, type GateReport, type NotEvaluable, type RawFinding, type Sink } from './types';

export type { CapacityResult, ClusterCapacity, ExternalRefKind, Finding, GateDocument, GateOptions, GatePolicy, GateReport, NotEvaluable, Severity } from './types';
export { loadYamlDocuments, parseYamlStream } from './load';
export { formatReport, mergeReports, type MultiReport, type RunSummary } from './report';
export { defaultPolicy, externalRefs, gatePolicy, isKnownProfile, PROFILES } from './profiles';
export { defaultCrdDir, defaultSchemaPath, projectRoot } from './paths';
export { CONNECTION_BUFFER, POOL_HEADROOM } from './invariants-db';

/** Runs one stage; a rule that trips over an unexpected shape becomes a finding instead of aborting the gate. */
export function runStage(name: string, sink: Sink, run: () => void): void {
  try {
    run();
  } catch (e) {
    sink.error('gate/internal-error', 0, [], `the ${name} stage failed: ${(e as Error).message}`, 'report this; the other stages still ran');
  }
}

function toFinding(f: RawFinding, docs: GateDocument[]): Finding {
  const d = docs[f.doc];
  const object = isPlainObject(d?.object) ? objectId(d.object) : `document ${f.doc + 1}`;
  const line = d?.locate?.(f.path) ?? d?.line;
  return { severity: f.severity, rule: f.rule, file: d?.file ?? '', object, path: formatPath(f.path), message: f.message, fix: f.fix, ...(line ? { line } : {}) };
}

export function validateDocuments(docs: GateDocument[], options: GateOptions = {}): GateReport {
  const raw: RawFinding[] = [];
  const sink = createSink(raw);
  const notEvaluable: NotEvaluable[] = [];
  const policy = options.policy;
  // Missing reference data is a configuration error, not a finding: let it throw.
  const scopes = validateSchemas(docs, options, sink, notEvaluable);
  const model = buildModel(docs, (doc) => scopes.has(doc));
  let capacity: CapacityResult | undefined;
  runStage('semantic', sink, () => checkSemantics(model, scopes, sink));
  runStage('server formats', sink, () => checkServerFormats(model, sink));
  runStage('pod', sink, () => checkPods(model, sink));
  runStage('limit ranges', sink, () => checkLimitRanges(model, sink));
  runStage('reference', sink, () => checkReferences(model, policy, sink));
  runStage('pod policy', sink, () => checkPodPolicy(model, policy, sink));
  runStage('cluster policy', sink, () => checkClusterPolicy(model, policy, sink));
  runStage('hygiene', sink, () => checkHygiene(model, sink));
  runStage('connection budget', sink, () => checkConnectionBudget(model, sink));
  runStage('traffic', sink, () => checkTraffic(model, sink));
  runStage('jobs', sink, () => checkJobs(model, sink, policy?.priorFiles ?? []));
  if (policy?.cluster) {
    const cluster = policy.cluster;
    runStage('capacity', sink, () => (capacity = checkCapacity(model, cluster, sink)));
  }
  const seen = new Set<string>();
  const findings = sortFindings(
    raw
      .map((f) => toFinding(f, docs))
      .filter((f) => {
        const key = JSON.stringify([f.file, f.object, f.path, f.rule, f.message]);
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      }),
  );
  return {
    findings,
    errors: findings.filter((f) => f.severity === 'error').length,
    warnings: findings.filter((f) => f.severity === 'warning').length,
    documents: docs.length,
    notEvaluable: sortNotEvaluable(notEvaluable),
    ...(capacity ? { capacity } : {}),
  };
}
