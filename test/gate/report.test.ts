/** The report format, the library options and the profile policies. */
import { join } from 'node:path';
import { defaultPolicy, formatReport, mergeReports, runStage, validateDocuments, type GateReport } from '../../lib/gate';
import { createSink, type RawFinding } from '../../lib/gate/types';
import { baseStack, FIXTURES, loadBrokenFixture, validate } from './support';

describe('formatReport', () => {
  const fx = loadBrokenFixture('defect-05-registration-token.yaml');
  const report = validate(fx.docs, fx.policy);

  it('prints errors, then warnings, one line each, then the summary', () => {
    const text = formatReport(report);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('Errors (2):');
    expect(lines[1]).toMatch(/^ERROR broken\/defect-05-registration-token\.yaml:\d+  Job\/mcp\/mcp-register  spec\.template\.spec\.containers\[0\]  \[invariant\/jwt-secret-env\] .* -- fix: add env JWT_SECRET_KEY/);
    expect(lines[2]).toMatch(/^ERROR .*  spec\.template\.spec\.containers\[0\]\.args\[0\]  \[policy\/hidden-errors\] .*'2>\/dev\/null'/);
    expect(lines[4]).toBe('Warnings (1):');
    expect(lines[5]).toMatch(/^WARN  .*\[policy\/script-errexit\]/);
    expect(lines[lines.length - 1]).toBe(`validate: FAILED: 2 error(s), 1 warning(s) in ${fx.docs.length} document(s)`);
  });

  it('prints the report as JSON on request', () => {
    const parsed = JSON.parse(formatReport(report, { json: true }));
    expect(parsed.errors).toBe(2);
    expect(parsed.findings[0]).toEqual({
      severity: 'error',
      rule: 'invariant/jwt-secret-env',
      file: 'broken/defect-05-registration-token.yaml',
      object: 'Job/mcp/mcp-register',
      path: 'spec.template.spec.containers[0]',
      message: expect.stringContaining("container 'register' mints a JWT"),
      fix: expect.any(String),
      line: expect.any(Number),
    });
  });

  it('sorts findings by file, object, path and rule, whatever order the documents come in', () => {
    const docs = loadBrokenFixture('label-key-value.yaml').docs;
    const a = validate(docs).findings;
    const b = validate([...docs].reverse()).findings;
    expect(b).toEqual(a);
    const keys = a.map((f) => [f.file, f.object, f.path, f.rule].join('\u0000'));
    expect(keys).toEqual([...keys].sort());
  });

  it('merges the reports of several outputs', () => {
    const ok: GateReport = { findings: [], errors: 0, warnings: 0, documents: 3, notEvaluable: [] };
    const merged = mergeReports([{ path: 'dist/a', report: ok }, { path: 'dist/b', profile: 'ocp', report }]);
    expect(merged).toMatchObject({ errors: 2, warnings: 1, documents: 3 + fx.docs.length });
    expect(merged.runs?.map((r) => r.path)).toEqual(['dist/a', 'dist/b']);
  });
});

describe('options', () => {
  it('throws when the schema file is missing, naming it and the option', () => {
    expect(() => validateDocuments([], { schemaPath: join(FIXTURES, 'nope.json') })).toThrow(/Kubernetes schema file not found: .*nope\.json\. Set the 'schemaPath' option \(CLI: --schema PATH\)/);
  });

  it('throws when the CRD directory is missing, naming it and the option', () => {
    expect(() => validateDocuments([], { crdDir: join(FIXTURES, 'no-crds') })).toThrow(/CRD directory not found: .*no-crds\. Set the 'crdDir' option \(CLI: --crds PATH\)/);
  });

  it('validates without a policy: profile rules and capacity are off', () => {
    const report = validateDocuments(baseStack('kind'));
    expect(report.capacity).toBeUndefined();
    // Only the Secrets the profile would declare external remain.
    expect([...new Set(report.findings.map((f) => f.rule))]).toEqual(['ref/missing']);
    expect([...new Set(report.findings.map((f) => /Secret '([^']+)'/.exec(f.message)?.[1]))].sort()).toEqual(['mcp-gateway', 'mcp-postgres', 'mcp-redis']);
  });
});

describe('defaultPolicy', () => {
  it('describes each profile', () => {
    expect(defaultPolicy('kind')).toMatchObject({ forbidFixedUids: false, requireDigests: false, requireNetworkPolicies: false, requirePdb: false, cluster: { nodes: 1, cpu: '4', memory: '8Gi' } });
    expect(defaultPolicy('ocp')).toMatchObject({ forbidFixedUids: true, requireDigests: false, cluster: { nodes: 3, cpu: '16', memory: '32Gi' } });
    expect(defaultPolicy('production')).toMatchObject({ requireDigests: false, requireNetworkPolicies: true, requirePdb: true, cluster: { nodes: 3, cpu: '16', memory: '64Gi' } });
  });

  it('rejects an unknown profile', () => {
    expect(() => defaultPolicy('staging')).toThrow("unknown profile 'staging': expected one of kind, ocp, production");
  });
});

describe('runStage', () => {
  it('turns a rule that throws into a gate/internal-error finding and carries on', () => {
    const raw: RawFinding[] = [];
    runStage('example', createSink(raw), () => {
      throw new Error('boom');
    });
    expect(raw).toEqual([{ severity: 'error', rule: 'gate/internal-error', doc: 0, path: [], message: 'the example stage failed: boom', fix: expect.any(String) }]);
  });
});
