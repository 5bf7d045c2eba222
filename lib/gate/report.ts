/**
 * The report: findings sorted for stable output, one line each (file:line, object, path, rule, message, fix),
 * errors and warnings in separate blocks, then rules not evaluated, capacity and a summary line.
 */
import type { CapacityResult, Finding, GateReport, NotEvaluable } from './types';
import { formatCpu, formatMemory } from '../../profiles/quantity';

/** A report over several outputs (e.g. one per profile), as the CLI prints it. */
export interface RunSummary {
  path: string;
  profile?: string;
  documents: number;
  errors: number;
  warnings: number;
  capacity?: CapacityResult;
}

export type MultiReport = GateReport & { runs?: RunSummary[] };

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort((a, b) => cmp(a.file, b.file) || cmp(a.object, b.object) || cmp(a.path, b.path) || cmp(a.rule, b.rule) || cmp(a.message, b.message));
}

export function sortNotEvaluable(list: NotEvaluable[]): NotEvaluable[] {
  const seen = new Set<string>();
  return [...list]
    .filter((n) => {
      const k = `${n.crd}\0${n.path}\0${n.rule}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .sort((a, b) => cmp(a.crd, b.crd) || cmp(a.path, b.path) || cmp(a.rule, b.rule));
}

export function mergeReports(runs: { path: string; profile?: string; report: GateReport }[]): MultiReport {
  const findings = sortFindings(runs.flatMap((r) => r.report.findings));
  return {
    findings,
    errors: findings.filter((f) => f.severity === 'error').length,
    warnings: findings.filter((f) => f.severity === 'warning').length,
    documents: runs.reduce((s, r) => s + r.report.documents, 0),
    notEvaluable: sortNotEvaluable(runs.flatMap((r) => r.report.notEvaluable)),
    runs: runs.map((r) => ({ path: r.path, profile: r.profile, documents: r.report.documents, errors: r.report.errors, warnings: r.report.warnings, capacity: r.report.capacity })),
  };
}

function line(f: Finding): string {
  const where = f.line ? `${f.file}:${f.line}` : f.file;
  return `${f.severity === 'error' ? 'ERROR' : 'WARN '} ${where}  ${f.object}  ${f.path || '-'}  [${f.rule}] ${f.message} -- fix: ${f.fix}`;
}

function capacityLines(c: CapacityResult, label?: string): string[] {
  const nodes = c.nodes.map((n) => `${n.name} ${formatCpu(n.cpuMillis.requested)}/${formatCpu(n.cpuMillis.allocatable)} CPU, ${formatMemory(n.memoryBytes.requested)}/${formatMemory(n.memoryBytes.allocatable)}`);
  const out = [`capacity${label ? ` (${label})` : ''}: ${c.cluster}: ${nodes.join('; ')}; ${c.pending.length ? `${c.pending.length} pod(s) Pending: ${c.pending.join(', ')}` : 'every pod fits'}`];
  for (const n of c.notes) out.push(`  note: ${n}`);
  return out;
}

export function formatReport(report: MultiReport, opts: { json?: boolean } = {}): string {
  if (opts.json) return `${JSON.stringify(report, null, 2)}\n`;
  const out: string[] = [];
  const errors = report.findings.filter((f) => f.severity === 'error');
  const warnings = report.findings.filter((f) => f.severity === 'warning');
  if (errors.length) out.push(`Errors (${errors.length}):`, ...errors.map(line), '');
  if (warnings.length) out.push(`Warnings (${warnings.length}):`, ...warnings.map(line), '');
  if (report.notEvaluable.length) {
    out.push(`CEL rules not evaluated (${report.notEvaluable.length}):`, ...report.notEvaluable.map((n) => `  ${n.crd} at ${n.path}: ${n.rule} (${n.reason})`), '');
  }
  if (report.runs) {
    for (const r of report.runs) if (r.capacity) out.push(...capacityLines(r.capacity, r.path));
  } else if (report.capacity) out.push(...capacityLines(report.capacity));
  const cel = report.notEvaluable.length ? `, ${report.notEvaluable.length} CEL rule(s) not evaluable` : '';
  out.push(`validate: ${report.errors ? 'FAILED' : 'OK'}: ${report.errors} error(s), ${report.warnings} warning(s) in ${report.documents} document(s)${cel}`);
  return `${out.join('\n')}\n`;
}
