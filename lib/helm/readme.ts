/** The chart's README: what the chart is, how to install it per profile, and what Helm users must know. */
import { HOOKS } from '../constructs/core/hooks';

export function chartReadme(chart: { name: string; profiles: readonly string[]; defaultProfile: string }): string {
  const p = chart.profiles;
  return `# ${chart.name}

The ContextForge MCP gateway stack as a Helm chart, generated from the mcp-stack-cdk8s constructs: do not edit
these files, change the constructs or the values and generate the chart again.

\`helm template --skip-tests\` of this chart with \`values-<profile>.yaml\` renders exactly what
\`synth --profile <profile>\` writes as plain manifests (the project's tests check it object by object, with Helm 3
and Helm 4); the \`helm test\` hooks are the chart's own.

## Values

- \`values.yaml\`: the ${chart.defaultProfile} profile, every key documented (allowed values, per-profile values).
- ${p.map((x) => `\`values-${x}.yaml\``).join(', ')}: each profile's complete values.
- \`values.schema.json\`: the profile schema; Helm rejects unknown keys, wrong types, out-of-range numbers and
  values outside an enum before rendering anything.
- The release name and namespace are Helm's (\`helm install REL -n NS\`): every object name starts with the
  release name (at most 30 characters) and every object is in the release namespace.

## Install

\`\`\`sh
kubectl create namespace mcp-stack
kubectl label namespace mcp-stack pod-security.kubernetes.io/enforce=restricted
# create the Secrets the notes list (the chart never holds credentials), then:
helm install mcp-stack . -n mcp-stack -f values-ocp.yaml
\`\`\`

- \`release.createNamespace\` is off in the chart: a Helm release is stored in its namespace and cannot create it,
  so the namespace exists beforehand (as above, where the Secrets go) or Helm creates it with
  \`--create-namespace\`; give it the Pod Security label. The plain manifests render the Namespace object
  (with that label) for \`kubectl apply\` and ArgoCD.
- The PGO profiles need the CrunchyData operator; the ocp profile needs OpenShift (Route, service CA).

## Hooks

- \`<release>-gateway\` and \`<release>-gateway-plugins\` (ConfigMaps) are not Helm hooks: they are release objects,
  so \`helm rollback\` restores them and \`helm uninstall\` removes them. The migration reads them post-install
  (after Helm created them) and pre-upgrade (the ones in place).
- The migration Job is no hook either: Helm creates it with the rest of the release, on install and on every
  upgrade (its name ends in \`-r<revision>\` on upgrades, so each upgrade runs a fresh Job), and the gateway pods
  turn ready (startup probe) once the schema is at head. So \`helm install --wait\` and \`helm upgrade --wait\`
  complete once the pods are ready. A finished Job removes itself after ten minutes; its name
  changes with the gateway image.
- The registration Job: \`${HOOKS.registration['helm.sh/hook']}\`.
- The same objects carry the ArgoCD hook annotations, so ArgoCD rendering the chart runs them in the same order.
- \`helm test <release>\`: a Pod of the gateway's image (restricted Pod Security, no credentials) asks the gateway
  Service's \`/health\` and fails unless the gateway is healthy; with NetworkPolicies on, two test-hook policies let
  exactly that Pod reach the gateway. A pass removes them; a failed run keeps the Pod for \`kubectl logs
  <release>-gateway-test\`, and the next run replaces it.
${firstInstall((HOOKS.migration as Record<string, string>)['helm.sh/hook'] ?? '')}`;
}

/** What a first \`helm install\` meets, given the migration's Helm hook. */
function firstInstall(hook: string): string {
  if (hook.split(',').includes('pre-install')) {
    return `- First install: Helm runs pre-install hooks before it creates any object of the release, the database
  included, so the migration waits for a database that does not exist yet and the install times out. Deliver the
  first install with ArgoCD (the database is its own Application, synced first) or with the plain manifests.
`;
  }
  if (hook.split(',').includes('post-install')) {
    return `- First install: the migration runs after the release's objects are created; the gateway pods wait for it
  (startup probe). Do not use Helm 3's \`--wait\` on the first install: it waits for the gateway before any
  post-install hook runs.
`;
  }
  return '';
}
