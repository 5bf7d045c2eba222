/**
 * The vocabulary of the output gate: what goes in (documents, policy, options) and what comes out (findings).
 */

/** One YAML document of the output. */
export interface GateDocument {
  /** Path relative to the output root, for the report. */
  file: string;
  /** The parsed document (undefined when the YAML could not be parsed). */
  object: any;
  /** 1-based line where the document starts, when it came from a file. */
  line?: number;
  /** Line of a field inside the document, when it came from a file (nearest existing ancestor otherwise). */
  locate?: (path: readonly (string | number)[]) => number | undefined;
  /** A YAML syntax error that kept the document from parsing. */
  parseError?: string;
}

export type ExternalRefKind = 'Secret' | 'ConfigMap' | 'PersistentVolumeClaim' | 'ServiceAccount';

/** A cluster the capacity simulation packs the output onto: `nodes` identical workers. */
export interface ClusterCapacity {
  nodes: number;
  /** Allocatable CPU per node, e.g. `16`. */
  cpu: string;
  /** Allocatable memory per node, e.g. `32Gi`. */
  memory: string;
  /** CPU per node already taken by system pods and daemons. */
  reservedCpu?: string;
  reservedMemory?: string;
  /** Name for messages, e.g. `OCP Large`. */
  name?: string;
  /** Number of zones the nodes are spread over (round robin); each node is its own zone when unset. */
  zones?: number;
}

/** The rules that depend on the profile. */
export interface GatePolicy {
  /** Profile name, for messages: `kind`, `ocp`, `production` or another. */
  profile: string;
  /** OpenShift restricted-v2: no runAsUser / runAsGroup / fsGroup anywhere (the SCC assigns them). */
  forbidFixedUids: boolean;
  /** Every image pinned by `@sha256:` digest. */
  requireDigests: boolean;
  /** A default-deny NetworkPolicy (Ingress and Egress) in every namespace the output creates or uses. */
  requireNetworkPolicies: boolean;
  /** A PodDisruptionBudget selecting every workload with more than one replica. */
  requirePdb: boolean;
  /** The target cluster runs the Prometheus Operator, so `monitoring.coreos.com` objects are allowed. */
  monitoring?: boolean;
  /** Objects the pods reference that are created outside the output (by the user or an operator). */
  externalRefs?: { kind: ExternalRefKind; namespace?: string; name: string }[];
  /** Target of the capacity simulation; no simulation without it. */
  cluster?: ClusterCapacity;
  /**
   * Files applied, and ready, before the hooks of the other files run: a separate Helm release or an earlier ArgoCD
   * Application (e.g. the database unit). Their objects, and the Secrets operators write for them, exist when a
   * pre-install hook starts. Matched against the end of each document's file path.
   */
  priorFiles?: string[];
}

export interface GateOptions {
  /** Kubernetes OpenAPI definitions (JSON). Default: the project's `reference/kubernetes/k8s-1.28.0-definitions.json`. */
  schemaPath?: string;
  /** Folder of CustomResourceDefinition YAML files. Default: the project's `reference/crds`. */
  crdDir?: string;
  /**
   * Which CRD file to use when several define the same kind and version, keyed `group/Kind` (file name inside
   * `crdDir`). Without a pin the first file in name order that serves the version wins.
   */
  crdFiles?: Record<string, string>;
  policy?: GatePolicy;
}

export type Severity = 'error' | 'warning';

export interface Finding {
  severity: Severity;
  /** Stable rule id, e.g. `schema/unknown-field`. */
  rule: string;
  file: string;
  /** `Kind/namespace/name`, or `Kind/name` without a namespace. */
  object: string;
  /** Dotted path inside the object, e.g. `spec.template.spec.containers[0].image`; empty for the whole object. */
  path: string;
  message: string;
  fix: string;
  /** 1-based line in `file`, when known. */
  line?: number;
}

export interface NotEvaluable {
  crd: string;
  rule: string;
  path: string;
  reason: string;
}

export interface CapacityNode {
  name: string;
  cpuMillis: { allocatable: number; requested: number };
  memoryBytes: { allocatable: number; requested: number };
  pods: string[];
}

export interface CapacityResult {
  cluster: string;
  nodes: CapacityNode[];
  /** Pods that stay Pending, as `Kind/namespace/name#ordinal`. */
  pending: string[];
  /** What the simulation left out, e.g. Jobs, node affinity. */
  notes: string[];
}

export interface GateReport {
  findings: Finding[];
  errors: number;
  warnings: number;
  documents: number;
  /** CEL rules that applied to a document but could not be evaluated here. */
  notEvaluable: NotEvaluable[];
  /** Result of the scheduling simulation, when the policy names a cluster. */
  capacity?: CapacityResult;
}

/** A finding before the report knows the line: the path is kept as segments so the loader can locate it. */
export interface RawFinding {
  severity: Severity;
  rule: string;
  /** Index of the document in the input. */
  doc: number;
  path: readonly (string | number)[];
  message: string;
  fix: string;
}

/** Where rules put what they find. */
export interface Sink {
  error(rule: string, doc: number, path: readonly (string | number)[], message: string, fix: string): void;
  warn(rule: string, doc: number, path: readonly (string | number)[], message: string, fix: string): void;
}

export function createSink(into: RawFinding[]): Sink {
  return {
    error: (rule, doc, path, message, fix) => into.push({ severity: 'error', rule, doc, path, message, fix }),
    warn: (rule, doc, path, message, fix) => into.push({ severity: 'warning', rule, doc, path, message, fix }),
  };
}
