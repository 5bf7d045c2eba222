/**
 * `validate [--json] [--schema P] [--crds DIR] [--profile NAME] [--external Kind/[namespace/]name]... [PATH...]`
 *
 * Validates each PATH (a folder or file of YAML) as one output: the profile comes from --profile or from a path
 * named after a profile (dist/<profile>). Without PATHs it validates dist/kind, dist/ocp and dist/production
 * under the project root. Exit code: 0 clean, 1 errors found, 2 bad usage or missing reference data.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, relative, resolve } from 'node:path';
import { formatReport, mergeReports } from './report';
import { loadYamlDocuments } from './load';
import { projectRoot } from './paths';
import { defaultPolicy, isKnownProfile, PROFILES } from './profiles';
import { validateDocuments } from './index';
import type { ExternalRefKind, GatePolicy, GateReport } from './types';

export interface CliDeps {
  out?: (text: string) => void;
  err?: (text: string) => void;
  /** Policy for a profile name; defaults to `defaultPolicy` (the synth can pass one built from the profile values). */
  policyFor?: (profile: string) => GatePolicy;
  /** Folder that relative PATHs and report file names are relative to. Default: the current directory. */
  cwd?: string;
  /** Project root holding dist/<profile> for the default PATHs. Default: found from this file. */
  root?: string;
}

const USAGE = 'usage: validate [--json] [--schema FILE] [--crds DIR] [--profile kind|ocp|production] [--external Kind/[namespace/]name]... [PATH...]';
const EXTERNAL_KINDS: ExternalRefKind[] = ['Secret', 'ConfigMap', 'PersistentVolumeClaim', 'ServiceAccount'];

const HELP = `${USAGE}
Run the output gate over written output: each PATH (a folder or file of YAML) is one output.

flags:
  --json                 print the report as JSON
  --profile NAME         profile rules to apply (default: from a path named after a profile, e.g. dist/ocp)
  --schema FILE          Kubernetes OpenAPI definitions (default: the project's reference copy)
  --crds DIR             folder of CRDs (default: the project's reference copy)
  --external REF         Kind/[namespace/]name of an object created elsewhere (repeatable)
  --help                 show this help

PATH defaults to dist/kind, dist/ocp and dist/production of the project (those that exist).

examples:
  mcp-stack validate
  mcp-stack validate --profile ocp out/ocp
  mcp-stack validate --json dist/production > report.json

exit codes: 0 clean; 1 the gate found errors; 2 bad usage or missing reference data; 3 a file that cannot be read.
`;

interface Parsed {
  help?: boolean;
  json: boolean;
  schema?: string;
  crds?: string;
  profile?: string;
  externals: { kind: ExternalRefKind; namespace?: string; name: string }[];
  paths: string[];
  problems: string[];
}

function parse(argv: string[]): Parsed {
  const p: Parsed = { json: false, externals: [], paths: [], problems: [] };
  const withValue = new Set(['--schema', '--crds', '--profile', '--external']);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      p.paths.push(...argv.slice(i + 1));
      break;
    }
    if (a === '--json') {
      p.json = true;
      continue;
    }
    if (a === '--help' || a === '-h') {
      p.help = true;
      continue;
    }
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    if (withValue.has(flag)) {
      const value = inline ?? argv[++i];
      if (value === undefined || value === '' || (inline === undefined && value.startsWith('--'))) {
        p.problems.push(`${flag} needs a value`);
        if (inline === undefined && value?.startsWith('--')) i--;
        continue;
      }
      if (flag === '--schema') p.schema = value;
      else if (flag === '--crds') p.crds = value;
      else if (flag === '--profile') {
        if (isKnownProfile(value)) p.profile = value;
        else p.problems.push(`--profile '${value}' is not a profile (expected one of ${PROFILES.join(', ')})`);
      } else {
        const parts = value.split('/');
        const kind = parts[0] as ExternalRefKind;
        if (!EXTERNAL_KINDS.includes(kind) || parts.length < 2 || parts.length > 3 || parts.some((x) => !x)) {
          p.problems.push(`--external '${value}' must be Kind/name or Kind/namespace/name with Kind one of ${EXTERNAL_KINDS.join(', ')}`);
        } else p.externals.push(parts.length === 3 ? { kind, namespace: parts[1], name: parts[2] } : { kind, name: parts[1] });
      }
      continue;
    }
    if (a.startsWith('-') && a !== '-') {
      p.problems.push(`unknown option '${a}'`);
      continue;
    }
    p.paths.push(a);
  }
  return p;
}

function profileOfPath(path: string): string | undefined {
  const dir = existsSync(path) && statSync(path).isFile() ? dirname(path) : path;
  const name = basename(resolve(dir));
  return isKnownProfile(name) ? name : undefined;
}

export function runValidateCli(argv: string[], deps: CliDeps = {}): number {
  const out = deps.out ?? ((t: string) => process.stdout.write(t));
  const err = deps.err ?? ((t: string) => process.stderr.write(t));
  const cwd = deps.cwd ?? process.cwd();
  const policyFor = deps.policyFor ?? defaultPolicy;
  const p = parse(argv);
  if (p.help) {
    out(HELP);
    return 0;
  }
  let targets = p.paths.map((x) => resolve(cwd, x));
  if (p.paths.length) {
    for (const [i, t] of targets.entries()) if (!existsSync(t)) p.problems.push(`path '${p.paths[i]}' does not exist`);
  }
  if (p.problems.length) {
    err(`validate: bad usage:\n${p.problems.map((x) => `  - ${x}`).join('\n')}\n${USAGE}\n`);
    return 2;
  }
  if (!p.paths.length) {
    const root = deps.root ?? projectRoot();
    const defaults = PROFILES.map((name) => resolve(root, 'dist', name));
    targets = defaults.filter((d) => existsSync(d));
    const missing = defaults.filter((d) => !existsSync(d)).map((d) => relative(cwd, d) || d);
    if (targets.length === 0) {
      err(`validate: nothing to validate: none of ${missing.join(', ')} exists. Synthesize first (npm run synth) or pass PATHs.\n`);
      return 2;
    }
    for (const m of missing) err(`validate: skipping ${m}: not synthesized\n`);
  }
  const runs: { path: string; profile?: string; report: GateReport }[] = [];
  try {
    for (const target of targets) {
      const display = relative(cwd, target) || '.';
      const profile = p.profile ?? profileOfPath(target);
      let policy: GatePolicy | undefined = profile ? policyFor(profile) : undefined;
      if (!profile) err(`validate: ${display}: no profile (name the folder after one or pass --profile); profile rules and capacity are off\n`);
      if (p.externals.length) {
        policy = { ...(policy ?? { profile: 'none', forbidFixedUids: false, requireDigests: false, requireNetworkPolicies: false, requirePdb: false }), externalRefs: [...(policy?.externalRefs ?? []), ...p.externals] };
      }
      const docs = loadYamlDocuments(cwd, [target]);
      runs.push({ path: display, profile, report: validateDocuments(docs, { schemaPath: p.schema && resolve(cwd, p.schema), crdDir: p.crds && resolve(cwd, p.crds), policy }) });
    }
  } catch (e) {
    // A file the system refuses to read is an environment failure (exit 3), like an unwritable output folder.
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EIO' || code === 'EMFILE') {
      err(`validate: cannot read ${(e as NodeJS.ErrnoException).path ?? 'a file'}: ${code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code}\n`);
      return 3;
    }
    err(`validate: ${(e as Error).message}\n`);
    return 2;
  }
  const report = mergeReports(runs);
  out(formatReport(report, { json: p.json }));
  return report.errors > 0 ? 1 : 0;
}
