/**
 * The Applications pass the output gate: schema validation against the real ArgoCD CRDs (unknown fields rejected)
 * and the gate's other stages.
 */
import { gitopsFiles } from '../../lib/gitops';
import { renderProfile } from '../../lib/cli/synth';
import { parseYamlStream, validateDocuments } from '../../lib/gate';
import { loadValues } from '../../profiles/loader';

const TENANT_FILES = ['tenants/acme/00-guardrails.yaml', 'tenants/acme/10-workloads/time.yaml', 'tenants/acme/20-argocd.yaml'];

describe.each(['kind', 'ocp', 'production'])('the ArgoCD files of the %s profile', (profile) => {
  test('have no gate errors or warnings', () => {
    const values = loadValues({ profile, sets: ['benchmark.enabled=true'] });
    const files = gitopsFiles(values, [...renderProfile(values).keys(), ...TENANT_FILES]);
    const docs = [...files].filter(([file]) => file.startsWith('argocd/')).flatMap(([file, text]) => parseYamlStream(text, file));
    expect(docs.map((d) => (d.object as any).kind)).toEqual(['Application', 'Application', 'Application', 'Application', 'Application']);
    const report = validateDocuments(docs);
    expect(report.findings).toEqual([]);
    expect(report.notEvaluable).toEqual([]);
  });

  test('are checked against the CRD: an unknown field is an error', () => {
    const values = loadValues({ profile });
    const text = gitopsFiles(values, [...renderProfile(values).keys()]).get('argocd/platform.yaml')!;
    const docs = parseYamlStream(text.replace('  syncPolicy:\n', '  syncPolicy:\n    autoSync: true\n'), 'argocd/platform.yaml');
    const report = validateDocuments(docs);
    expect(report.errors).toBeGreaterThan(0);
    expect(report.findings.map((f) => f.path)).toContain('spec.syncPolicy.autoSync');
  });
});
