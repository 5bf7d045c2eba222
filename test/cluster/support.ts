/** Helpers of the cluster tier: the real CLI's output, real Helm, and what the real API server made of it. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, type ControlPlane } from './control-plane';
import { tempDir } from '../support';

export { tempDir };

export const CLI = join(ROOT, 'bin', 'mcp-stack');
export const CHART = join(ROOT, 'dist', 'helm', 'mcp-stack');
export const HELMS = { helm3: join(ROOT, '.tools', 'bin', 'helm3'), helm4: join(ROOT, '.tools', 'bin', 'helm4') } as const;
export type HelmName = keyof typeof HELMS;
export const PROFILES = ['kind', 'ocp', 'production'] as const;


/** `mcp-stack synth ... --stdout`: the one YAML stream a user would pipe to kubectl. */
export function synthStream(args: string[]): string {
  const r = spawnSync(CLI, ['synth', '--stdout', ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`synth ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return r.stdout;
}

/** Runs the CLI and returns its exit code and output (for refusals). */
export function cli(args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(CLI, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Real Helm against the control plane. */
export function helm(cp: ControlPlane, name: HelmName, args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(HELMS[name], args, { env: cp.env(), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

export function helmOk(cp: ControlPlane, name: HelmName, args: string[]): string {
  const r = helm(cp, name, args);
  if (r.status !== 0) throw new Error(`${name} ${args.join(' ')} failed (${r.status}):\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** Server-side apply of a YAML stream; returns kubectl's stderr (warnings) and throws on any rejection. */
export function serverSideApply(cp: ControlPlane, stream: string, manager = 'mcp-stack'): string {
  const r = cp.kubectl(['apply', '--server-side', `--field-manager=${manager}`, '-f', '-'], stream);
  if (r.status !== 0) throw new Error(`server-side apply rejected:\n${r.stderr}`);
  return r.stderr;
}

/** Events in a namespace that say a controller could not create something (e.g. a pod PodSecurity refused). */
export function failedCreates(cp: ControlPlane, namespace: string): string[] {
  const out = cp.kubectlOk(['get', 'events', '-n', namespace, '-o', 'json']);
  return (JSON.parse(out).items as any[])
    .filter((e) => e.type === 'Warning' && e.reason === 'FailedCreate')
    .map((e) => `${e.involvedObject.kind}/${e.involvedObject.name}: ${e.message}`);
}

/** The pods in a namespace by owner kind/name (ReplicaSets resolved to their Deployment by name prefix). */
export function podCount(cp: ControlPlane, namespace: string): number {
  return JSON.parse(cp.kubectlOk(['get', 'pods', '-n', namespace, '-o', 'json'])).items.length;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns true or `timeoutMs` passes; returns its last answer. */
export async function eventually(check: () => boolean, timeoutMs = 20_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await sleep(300);
  }
  return check();
}

/** A namespace as a user prepares it for the chart (Helm does not create it): Pod Security `restricted` enforced. */
export function restrictedNamespace(cp: ControlPlane, ns: string): void {
  cp.kubectlOk(['create', 'namespace', ns]);
  cp.kubectlOk(['label', 'namespace', ns, 'pod-security.kubernetes.io/enforce=restricted']);
}

/** What a namespace holds, by kind/name, without what Kubernetes itself puts there. */
export function contents(cp: ControlPlane, ns: string): string[] {
  const kinds = 'deployments,statefulsets,services,configmaps,secrets,jobs,cronjobs,persistentvolumeclaims,poddisruptionbudgets,horizontalpodautoscalers,ingresses,networkpolicies,serviceaccounts';
  const items = JSON.parse(cp.kubectlOk(['get', kinds, '-n', ns, '-o', 'json'])).items as any[];
  return items
    .filter((o) => !['kube-root-ca.crt', 'openshift-service-ca.crt', 'default'].includes(o.metadata.name))
    .map((o) => `${o.kind}/${o.metadata.name}`)
    .sort();
}
