/**
 * Stand-in for the kubelet where a flow needs finished Jobs: there is no node here, so a test marks a Job complete
 * through its status subresource, the way the Job controller would after its pod succeeded.
 */
import { spawn } from 'node:child_process';
import type { ControlPlane } from './control-plane';
import { HELMS, type HelmName } from './support';

/** Marks every unfinished Job in `namespace` complete; returns the names it marked. */
export function completeJobs(cp: ControlPlane, namespace: string): string[] {
  const r = cp.kubectl(['get', 'jobs', '-n', namespace, '-o', 'json']);
  if (r.status !== 0) return [];
  const marked: string[] = [];
  for (const job of JSON.parse(r.stdout).items as any[]) {
    const done = (job.status?.conditions ?? []).some((c: any) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
    if (done || job.spec?.suspend) continue;
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const start = job.status?.startTime ?? now;
    const status = {
      startTime: start,
      completionTime: now,
      succeeded: 1,
      active: 0,
      ready: 0,
      terminating: 0,
      uncountedTerminatedPods: {},
      conditions: [
        { type: 'SuccessCriteriaMet', status: 'True', reason: 'CompletionsReached', message: 'marked by the test', lastProbeTime: now, lastTransitionTime: now },
        { type: 'Complete', status: 'True', reason: 'CompletionsReached', message: 'marked by the test', lastProbeTime: now, lastTransitionTime: now },
      ],
    };
    const p = cp.kubectl(['patch', 'job', job.metadata.name, '-n', namespace, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })]);
    if (p.status === 0) marked.push(job.metadata.name);
  }
  return marked;
}

/** True when a Job of `component` in `namespace` has completed. */
function completed(cp: ControlPlane, namespace: string, component: string): boolean {
  const r = cp.kubectl(['get', 'jobs', '-n', namespace, '-l', `app.kubernetes.io/component=${component}`, '-o', 'json']);
  if (r.status !== 0) return false;
  return (JSON.parse(r.stdout).items as any[]).some((j) => (j.status?.conditions ?? []).some((c: any) => c.type === 'Complete' && c.status === 'True'));
}

/**
 * Stand-in for the kubelet's probes: marks the pods of Deployments and StatefulSets in `namespace` Ready through the
 * status subresource, except gateway pods until a migration Job has completed (their startup probe waits for the
 * schema at head). Returns the pods it marked.
 */
export function markPodsReady(cp: ControlPlane, namespace: string): string[] {
  const r = cp.kubectl(['get', 'pods', '-n', namespace, '-o', 'json']);
  if (r.status !== 0) return [];
  const migrated = completed(cp, namespace, 'migration');
  const marked: string[] = [];
  for (const pod of JSON.parse(r.stdout).items as any[]) {
    const owner = pod.metadata.ownerReferences?.[0]?.kind;
    if (owner !== 'ReplicaSet' && owner !== 'StatefulSet') continue;
    if (pod.metadata.labels?.['app.kubernetes.io/component'] === 'gateway' && !migrated) continue;
    if ((pod.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True')) continue;
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const conditions = ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map((type) => ({ type, status: 'True', lastTransitionTime: now }));
    const p = cp.kubectl(['patch', 'pod', pod.metadata.name, '-n', namespace, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { phase: 'Running', startTime: now, conditions } })]);
    if (p.status === 0) marked.push(pod.metadata.name);
  }
  return marked;
}

/**
 * Runs Helm while completing the Jobs it waits for (hooks), as a cluster with nodes would; with `readyPods`, also
 * turns pods ready as their probes would (`markPodsReady`). Resolves with Helm's exit code and output.
 */
export function helmCompletingJobs(cp: ControlPlane, name: HelmName, namespace: string, args: string[], readyPods = false): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(HELMS[name], args, { env: cp.env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      try {
        completeJobs(cp, namespace);
        if (readyPods) markPodsReady(cp, namespace);
      } finally {
        busy = false;
      }
    }, 400);
    child.on('close', (code) => {
      clearInterval(timer);
      resolve({ status: code ?? -1, stdout, stderr });
    });
  });
}

/**
 * Marks every Job in `namespace` complete, lets its TTL run out (the test sets `ttlSecondsAfterFinished` to 0
 * instead of waiting), and waits until the real TTL controller has removed them all. Fails for a Job without a TTL:
 * that one would stay and pile up.
 */
export async function finishAndExpireJobs(cp: ControlPlane, namespace: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    completeJobs(cp, namespace);
    const jobs = JSON.parse(cp.kubectlOk(['get', 'jobs', '-n', namespace, '-o', 'json'])).items as any[];
    if (jobs.length === 0) return;
    for (const j of jobs) {
      if (j.spec.ttlSecondsAfterFinished === undefined) throw new Error(`Job ${j.metadata.name} has no ttlSecondsAfterFinished: it would stay`);
      if (j.spec.ttlSecondsAfterFinished !== 0) cp.kubectl(['patch', 'job', j.metadata.name, '-n', namespace, '--type=merge', '-p', '{"spec":{"ttlSecondsAfterFinished":0}}']);
    }
    const left = jobs.map((j) => j.metadata.name);
    if (Date.now() > deadline) throw new Error(`Jobs not removed after they finished: ${left.join(', ')}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}
