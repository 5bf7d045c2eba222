/** The output gate over every real profile, exactly as the synth runs it before writing. */
import { gatePolicy } from '../lib/cli/gate';
import { renderProfile } from '../lib/cli/synth';
import { validateDocuments } from '../lib/gate';
import { loadAll } from 'js-yaml';
import { values } from './support';

describe.each(['kind', 'ocp', 'production'])('the %s profile', (profile) => {
  const v = values(profile, ['benchmark.enabled=true']);
  const docs = [...renderProfile(v)]
    .filter(([file]) => /\.ya?ml$/.test(file))
    .flatMap(([file, text]) => loadAll(text).filter((o) => o != null).map((object) => ({ file, object })));
  const report = validateDocuments(docs, { policy: gatePolicy(v) });

  test('passes the output gate with no error and no warning (benchmark included)', () => {
    expect(report.findings.filter((f) => f.severity === 'error').map((f) => `${f.rule} ${f.object} ${f.path}: ${f.message}`)).toEqual([]);
    // No invariant/hook-order warning: the migration is no Helm post-install hook that `helm install --wait` would
    // only run after waiting for gateway pods that wait for it.
    expect(report.findings.filter((f) => f.severity === 'warning').map((f) => f.rule)).toEqual([]);
    expect(report.documents).toBe(docs.length);
  });

  test('every CEL rule of the CRDs it uses was evaluated', () => {
    expect(report.notEvaluable).toEqual([]);
  });
});

test('the gate catches an injected defect in real output: a fixed UID on ocp', () => {
  const v = values('ocp');
  const docs = [...renderProfile(v)]
    .filter(([file]) => /\.ya?ml$/.test(file))
    .flatMap(([file, text]) => loadAll(text).filter((o) => o != null).map((object: any) => ({ file, object })));
  const redis = docs.find((d: any) => d.object.kind === 'StatefulSet' && d.object.metadata.name === 'mcp-stack-redis')!;
  (redis.object as any).spec.template.spec.securityContext.runAsUser = 999;
  const report = validateDocuments(docs, { policy: gatePolicy(v) });
  expect(report.findings.map((f) => f.rule)).toContain('policy/fixed-uid');
});
