/** The valid fixture stacks pass the gate under the policies they are written for. */
import { baseStack, policyFor, readFixture, validate } from './support';

describe('valid stacks', () => {
  it.each([
    ['kind', 'kind'],
    ['kind', 'production'],
    ['ocp', 'ocp'],
  ] as const)('the %s stack has no findings under the %s policy', (base, profile) => {
    const report = validate(baseStack(base), policyFor(profile, base));
    expect(report.findings).toEqual([]);
    expect(report.errors).toBe(0);
    expect(report.warnings).toBe(0);
    expect(report.notEvaluable).toEqual([]);
  });

  it('a hardened tenant MCPServer passes the production policy', () => {
    const report = validate(readFixture('valid/tenant.yaml'), policyFor('production'));
    expect(report.findings).toEqual([]);
    expect(report.capacity?.nodes.flatMap((n) => n.pods)).toEqual(['MCPServer/tenant-a/time#1']);
  });

  it('counts every document and places every pod on the profile cluster', () => {
    const docs = baseStack('ocp');
    const report = validate(docs, policyFor('ocp'));
    expect(report.documents).toBe(docs.length);
    expect(report.capacity?.pending).toEqual([]);
    expect(report.capacity?.nodes).toHaveLength(3);
  });
});
