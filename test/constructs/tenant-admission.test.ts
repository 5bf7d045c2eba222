import { StackContext } from '../../lib/constructs/core/context';
import { TenantImagePolicy } from '../../lib/constructs/tenants/admission';
import { gateFindings, objectsOf, userChart } from './support';

describe('TenantImagePolicy on its own', () => {
  test('in a namespaced chart: cluster-scoped policy and binding named after release and namespace, passing the gate', () => {
    const chart = userChart('apps');
    new StackContext({ release: 'shop', namespace: 'apps' }).attach(chart);
    const p = new TenantImagePolicy(chart, 'images', { registryAllowList: ['quay.io/acme'], requireDigests: false });
    const objects = objectsOf(chart);
    expect(objects.map((o) => [o.kind, o.metadata.name, o.metadata.namespace])).toEqual([
      ['ValidatingAdmissionPolicy', 'shop-tenant-images.apps', undefined],
      ['ValidatingAdmissionPolicyBinding', 'shop-tenant-images.apps', undefined],
    ]);
    expect(p.binding.toJson().spec.policyName).toBe(p.policy.name);
    expect(objects[0].spec.variables[0]).toEqual({ name: 'allowed', expression: '["quay.io/acme"]' });
    expect(gateFindings(chart)).toEqual([]);
  });

  test('requireDigests adds the MCPServer digest rule and nothing else', () => {
    const rules = (requireDigests: boolean) => {
      const chart = userChart();
      new TenantImagePolicy(chart, 'images', { registryAllowList: ['ghcr.io'], requireDigests, context: new StackContext({}) });
      return objectsOf(chart)[0].spec.validations.map((v: any) => v.messageExpression.split(':')[0]);
    };
    expect(rules(false)).toEqual(["'images not from an allowed registry (tenants.registryAllowList", "'images must be pinned to a tag other than latest"]);
    expect(rules(true)).toEqual([...rules(false), "'MCPServer images must carry a digest (images.requireDigests)"]);
  });
});
