/**
 * The two labels Helm users look for on what a chart installs: `app.kubernetes.io/managed-by` naming the tool that
 * manages the release (`.Release.Service`, "Helm") and `helm.sh/chart` naming the chart and its version. The chart
 * puts them on each object's own labels only: never on selectors (immutable, an upgrade from the plain output would
 * break) and never on pod templates (a new chart version would otherwise roll every pod for nothing). The plain
 * output keeps its own `managed-by`.
 */
import { MANAGED_BY } from '../constructs/core/context';

/** The label `helm template` writes for the chart; `mcp-stack.chartLabel` in _helpers.tpl makes it. */
export const CHART_LABEL = 'helm.sh/chart';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';

/** The plain output's managed-by line under an object's `metadata.labels`. */
const PLAIN_LINE = `    ${MANAGED_BY_LABEL}: ${MANAGED_BY}`;

/**
 * Rewrites the top-level `metadata.labels` of every object of a template file (objects start at column 0, their
 * metadata's labels at column 2). Throws when an object has no labels or no managed-by label, so none is missed.
 */
export function withHelmLabels(template: string): string {
  const lines = template.split('\n');
  const out: string[] = [];
  let objects = 0;
  let rewritten = 0;
  let where: 'top' | 'metadata' | 'labels' = 'top';
  for (const line of lines) {
    if (line === '---') objects++;
    if (/^\S/.test(line) && !line.startsWith('{{')) where = line === 'metadata:' ? 'metadata' : 'top';
    else if (where !== 'top' && /^ {2}\S/.test(line) && !line.trimStart().startsWith('{{')) where = line === '  labels:' ? 'labels' : 'metadata';
    if (where === 'labels' && line === PLAIN_LINE) {
      out.push(`    ${MANAGED_BY_LABEL}: {{ $.Release.Service | toJson }}`, `    ${CHART_LABEL}: {{ include "mcp-stack.chartLabel" $ | toJson }}`);
      rewritten++;
      continue;
    }
    out.push(line);
  }
  if (rewritten !== objects) throw new Error(`${objects - rewritten} of ${objects} objects have no ${MANAGED_BY_LABEL}: ${MANAGED_BY} label in their metadata; the chart could not give them Helm's labels`);
  return out.join('\n');
}

/** The chart label as `helm template` renders it, for a chart name and version (Helm's convention: `+` → `_`). */
export function chartLabelValue(name: string, version: string): string {
  return `${name}-${version}`.replace(/\+/g, '_').slice(0, 63).replace(/-$/, '');
}
