/**
 * The broken-fixture corpus: every file under fixtures/broken injects one defect into a valid stack (or stands
 * alone) and names the findings the gate must produce. Exactly those rules fire, each with its message.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brokenFixtureFiles, loadBrokenFixture, rulesOf, validate } from './support';

const files = brokenFixtureFiles();

describe('broken fixture corpus', () => {
  it('has at least 40 fixtures, each expecting at least one finding', () => {
    expect(files.length).toBeGreaterThanOrEqual(40);
    for (const f of files) expect(loadBrokenFixture(f).expectations.length).toBeGreaterThan(0);
  });

  it('covers every rule id the gate can report', () => {
    const src = join(__dirname, '..', '..', 'lib', 'gate');
    const text = readdirSync(src).map((f) => readFileSync(join(src, f), 'utf8')).join('\n');
    const literal = [...text.matchAll(/'((?:schema|name|label|annotation|selector|object|pod|port|probe|service|ref|policy|pdb|invariant|capacity|gate)\/[a-z0-9-]+)'/g)].map((m) => m[1]);
    // Ids built from a template: name/<format>, <label|annotation>/key, schema/list-<type>-duplicate.
    const templated = ['name/dns1123-label', 'name/dns1123-subdomain', 'name/dns1035-label', 'label/key', 'annotation/key', 'schema/list-set-duplicate', 'schema/list-map-duplicate'];
    const covered = new Set(files.flatMap((f) => loadBrokenFixture(f).expectations.map((e) => e.rule)));
    // Covered by unit tests instead of a fixture: a rule that throws (report.test.ts).
    covered.add('gate/internal-error');
    // A data size over 1 MiB would need a fixture of that size: server-formats.test.ts builds one in memory.
    covered.add('object/too-large');
    const missing = [...new Set([...literal, ...templated])].filter((r) => !covered.has(r)).sort();
    expect(missing).toEqual([]);
  });

  it.each(files)('%s is caught with the expected findings', (file) => {
    const fx = loadBrokenFixture(file);
    const report = validate(fx.docs, fx.policy);
    for (const e of fx.expectations) {
      const hits = report.findings.filter((f) => f.severity === e.severity && f.rule === e.rule);
      const described = report.findings.map((f) => `${f.severity} ${f.rule}: ${f.message}`).join('\n');
      if (!hits.some((h) => h.message.includes(e.fragment))) {
        throw new Error(`${file}: expected ${e.severity} ${e.rule} containing "${e.fragment}"; got:\n${described || '(nothing)'}`);
      }
      for (const h of hits) {
        expect(h.fix.length).toBeGreaterThan(0);
        expect(h.object).not.toBe('');
      }
    }
    const expected = (severity: 'error' | 'warning') => [...new Set(fx.expectations.filter((e) => e.severity === severity).map((e) => e.rule))].sort();
    expect(rulesOf(report, 'error')).toEqual(expected('error'));
    expect(rulesOf(report, 'warning')).toEqual(expected('warning'));
  });
});
