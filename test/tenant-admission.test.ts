/**
 * `tenants.admission`: the tenant image rules as a ValidatingAdmissionPolicy and binding in the platform unit. What
 * each profile renders, what the rules say for each allow list and digest setting, the output gate (which checks the
 * v1 kinds against the fields they had as v1beta1 in 1.28), the refusal of an unknown engine, and Helm 3 and Helm 4
 * against the plain synth. That the API server accepts the policy and enforces it is checked in the cluster tier.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { helmChartFiles } from '../lib/helm';
import { validateDocuments } from '../lib/gate';
import { gatePolicy } from '../lib/cli/gate';
import { renderProfile } from '../lib/cli/synth';
import { InputError } from '../profiles/errors';
import { loadValues } from '../profiles/loader';
import { synth, values } from './support';
import { tenantFiles } from '../lib/constructs/tenants';
import { server, tenant, tenantValues } from './tenants/fixtures';
import { byKey, HELM_NAMES, helm, helmTemplate, plain, requireHelm, writeChart } from './helm/support';

const MAIN = join(__dirname, '..', 'build', 'main.js');
const ON = ['tenants.admission=validating-admission-policy'];
const NAME = 'mcp-stack-tenant-images.mcp-stack';
/** ocp with every image pinned by digest, as `images.requireDigests` asks. */
const PINNED = [...ON, 'images.requireDigests=true', ...['gateway', 'nginx', 'fastTimeServer', 'redis'].map((i) => `images.${i}.digest=sha256:${'b'.repeat(64)}`)];

const admission = (o: any[]) => o.filter((x) => x.kind === 'ValidatingAdmissionPolicy' || x.kind === 'ValidatingAdmissionPolicyBinding');
const variable = (policy: any, name: string) => policy.spec.variables.find((v: any) => v.name === name)?.expression;

function gateErrors(docs: { file: string; object: any }[], profile = 'kind', sets: string[] = []) {
  return validateDocuments(docs, { policy: gatePolicy(values(profile, sets)) }).findings.filter((f) => f.severity === 'error').map((f) => `${f.rule}: ${f.message}`);
}

describe('tenants.admission on the plain output', () => {
  test('kind and production render the policy and its binding; ocp (and the defaults) do not', () => {
    expect(admission(synth('kind')).map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.name}`)).toEqual([
      `admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy ${NAME}`,
      `admissionregistration.k8s.io/v1 ValidatingAdmissionPolicyBinding ${NAME}`,
    ]);
    expect(admission(synth('production'))).toHaveLength(2);
    expect(admission(synth('ocp'))).toEqual([]);
    expect(admission(synth('kind', ['tenants.admission=none']))).toEqual([]);
    expect(admission(synth('ocp', ON))).toHaveLength(2);
  });

  test('the binding denies, in this release\'s tenant namespaces only (labels tenants cannot set), and names its policy', () => {
    const [, binding] = admission(synth('kind'));
    expect(binding.spec).toEqual({
      policyName: NAME,
      validationActions: ['Deny'],
      matchResources: { namespaceSelector: { matchLabels: { 'mcp-stack.io/tenant-namespace': 'true', 'app.kubernetes.io/instance': 'mcp-stack' } } },
    });
    // The labels it selects are those of the release's tenant Namespaces.
    const namespaces = [...tenantFiles(tenantValues('kind', [tenant('acme', [server('fetch'), server('time')])])).values()]
      .flatMap((text) => loadAll(text) as any[])
      .filter((o) => o?.kind === 'Namespace');
    expect(namespaces).toHaveLength(2);
    for (const ns of namespaces) expect(ns.metadata.labels).toMatchObject(binding.spec.matchResources.namespaceSelector.matchLabels);
  });

  test('the policy checks Pods and MCPServers on create and update, fails closed, and carries the profile\'s allow list', () => {
    const [policy] = admission(synth('production'));
    expect(policy.spec.failurePolicy).toBe('Fail');
    expect(policy.spec.matchConstraints.resourceRules.map((r: any) => `${r.apiGroups[0]}/${r.resources[0]} ${r.operations.join(',')}`)).toEqual([
      '/pods CREATE,UPDATE',
      'toolhive.stacklok.dev/mcpservers CREATE,UPDATE',
    ]);
    expect(variable(policy, 'allowed')).toBe('["ghcr.io"]');
    expect(variable(admission(synth('ocp', ON))[0], 'allowed')).toBe('["docker.io","ghcr.io","quay.io","registry.redhat.io"]');
    expect(variable(admission(synth('kind', ['tenants.registryAllowList={registry.local:5000/mirror}']))[0], 'allowed')).toBe('["registry.local:5000/mirror"]');
    expect(variable(admission(synth('kind', ['tenants.registryAllowList={}']))[0], 'allowed')).toBe('[]');
  });

  test('the digest rule comes with images.requireDigests, for MCPServers', () => {
    const [plainPolicy] = admission(synth('ocp', ON));
    expect(variable(plainPolicy, 'undigested')).toBeUndefined();
    expect(plainPolicy.spec.validations.map((v: any) => v.expression)).toEqual(['size(variables.outside) == 0', 'size(variables.floating) == 0']);
    const [pinned] = admission(synth('ocp', PINNED));
    expect(variable(pinned, 'undigested')).toMatch(/^object\.kind != 'MCPServer' \? \[\] :/);
    expect(pinned.spec.validations.map((v: any) => v.expression)).toContain('size(variables.undigested) == 0');
  });

  test('the output gate passes it with the profile\'s policy, and checks its fields', () => {
    for (const [profile, sets] of [['kind', []], ['production', []], ['ocp', PINNED]] as [string, string[]][]) {
      const v = values(profile, sets);
      const docs = [...renderProfile(v)]
        .filter(([file]) => /\.ya?ml$/.test(file))
        .flatMap(([file, text]) => loadAll(text).filter((o) => o != null).map((object) => ({ file, object })));
      expect([profile, gateErrors(docs, profile, sets)]).toEqual([profile, []]);
    }
    const [policy, binding] = admission(synth('kind'));
    const broken = [
      { file: 'a.yaml', object: { ...policy, spec: { ...policy.spec, validation: [] } } },
      { file: 'b.yaml', object: { ...binding, metadata: { ...binding.metadata, namespace: 'mcp-stack' } } },
    ];
    const errors = gateErrors(broken);
    expect(errors).toEqual([
      "schema/unknown-field: unknown field 'validation' in 'spec' (admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy); allowed here: auditAnnotations, failurePolicy, matchConditions, matchConstraints, paramKind, validations, variables",
      "object/cluster-scoped-namespace: ValidatingAdmissionPolicyBinding is cluster-scoped but has namespace 'mcp-stack'",
    ]);
  });

  test('an unknown engine is refused: exit 2, the path, what was given and what is allowed, nothing written', () => {
    const r = spawnSync(process.execPath, [MAIN, 'synth', '--stdout', '--profile', 'kind', '--set', 'tenants.admission=kyverno'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('tenants.admission');
    expect(r.stderr).toContain('"none"|"validating-admission-policy"');
    expect(r.stderr).toContain('kyverno');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    let problems: string[] = [];
    try {
      loadValues({ profile: 'kind', sets: ['tenants.admission=kyverno'] });
    } catch (e) {
      problems = (e as InputError).problems.map((p) => p.path);
    }
    expect(problems).toEqual(['tenants.admission']);
  });
});

describe.each(HELM_NAMES)('%s renders the tenant admission policy as the plain synth does', (h) => {
  let chart: string;
  beforeAll(() => {
    requireHelm();
    chart = writeChart(helmChartFiles());
  });
  test.each([
    ['kind', []],
    ['production', []],
    ['ocp', []],
    ['ocp', ON],
    ['ocp', PINNED],
    ['kind', ['tenants.registryAllowList={registry.local:5000/mirror,quay.io/acme}']],
    ['production', ['tenants.admission=none']],
  ])('%s with %s', (profile, sets) => {
    const rendered = helmTemplate(h, chart, { valuesFiles: [join(chart, `values-${profile}.yaml`)], sets });
    expect(byKey(rendered)).toEqual(byKey(plain(profile, { sets })));
  });

  test('an empty allow list (every tenant image refused) as the synth renders it', () => {
    const rendered = helmTemplate(h, chart, { valuesFiles: [join(chart, 'values-kind.yaml')], extraArgs: ['--set-json', 'tenants.registryAllowList=[]'] });
    const expected = plain('kind', { sets: ['tenants.registryAllowList={}'] });
    expect(variable(admission(rendered)[0], 'allowed')).toBe('[]');
    expect(byKey(rendered)).toEqual(byKey(expected));
  });

  test('refuses an unknown engine', () => {
    const r = helm(h, ['template', 'r', chart, '-f', join(chart, 'values-kind.yaml'), '--set', 'tenants.admission=kyverno']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('tenants');
    expect(r.stderr).toContain('admission');
  });
});
