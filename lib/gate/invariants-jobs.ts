/**
 * The gateway's Jobs must stay in lockstep with it: the migration and registration Jobs run the gateway image
 * (a different one migrates a schema the gateway does not expect), hooks never run before the objects they read
 * exist, and a Job that mints a JWT gets the signing secret from a Secret.
 */
import { componentOf, containersOf, isPlainObject, nsOf, type Model, type PodTemplate } from './model';
import { shellScript } from './hygiene';
import { templatesOfComponent } from './services';
import type { Sink } from './types';

function hooksOf(t: PodTemplate): string[] {
  const a = t.owner.obj.metadata?.annotations ?? {};
  const helm = typeof a['helm.sh/hook'] === 'string' ? a['helm.sh/hook'].split(',').map((s: string) => s.trim()) : [];
  const argo = a['argocd.argoproj.io/hook'] === 'PreSync' ? ['pre-install'] : [];
  return [...helm, ...argo];
}

function checkImages(model: Model, sink: Sink): void {
  const gatewayImages = new Set(
    templatesOfComponent(model, 'gateway')
      .filter((t) => t.longRunning)
      .flatMap((t) => containersOf(t.spec).filter((x) => !x.init).map((x) => x.c.image))
      .filter((i): i is string => typeof i === 'string'),
  );
  if (gatewayImages.size === 0) return;
  for (const component of ['migration', 'registration']) {
    for (const t of templatesOfComponent(model, component)) {
      for (const { c, path, init } of containersOf(t.spec)) {
        if (init || typeof c.image !== 'string' || gatewayImages.has(c.image)) continue;
        sink.error(
          'invariant/migration-image',
          t.owner.doc,
          [...t.path, 'spec', ...path, 'image'],
          `the ${component} Job runs '${c.image}' but the gateway runs '${[...gatewayImages].join("', '")}'; the gateway checks that the schema is at its own Alembic head and crash-loops otherwise`,
          'use exactly the gateway image (same tag and digest) for the migration and registration Jobs',
        );
      }
    }
  }
}

function checkHooks(model: Model, sink: Sink, priorFiles: readonly string[]): void {
  const isHook = (a: any) => !!(a?.['helm.sh/hook'] || a?.['argocd.argoproj.io/hook']);
  const prior = (m: { doc: number }) => {
    const file = model.docs[m.doc]?.file ?? '';
    return priorFiles.some((p) => file === p || file.endsWith(`/${p}`));
  };
  const hookNames = new Set(model.items.filter((m) => isHook(m.obj.metadata?.annotations)).map((m) => `${m.kind}/${m.name}`));
  for (const t of model.templates) {
    const hooks = hooksOf(t);
    if (hooks.length === 0) continue;
    if (hooks.includes('pre-install')) {
      const needs: string[] = [];
      for (const { c } of containersOf(t.spec)) {
        for (const e of Array.isArray(c.envFrom) ? c.envFrom : []) {
          if (e?.configMapRef?.name) needs.push(`ConfigMap/${e.configMapRef.name}`);
          if (e?.secretRef?.name) needs.push(`Secret/${e.secretRef.name}`);
        }
        for (const e of Array.isArray(c.env) ? c.env : []) {
          if (e?.valueFrom?.configMapKeyRef?.name) needs.push(`ConfigMap/${e.valueFrom.configMapKeyRef.name}`);
          if (e?.valueFrom?.secretKeyRef?.name) needs.push(`Secret/${e.valueFrom.secretKeyRef.name}`);
        }
      }
      // Secrets PGO writes for a PostgresCluster of the same release appear only after the cluster is created.
      const operatorSecrets = model.items
        .filter((m) => m.kind === 'PostgresCluster' && !hookNames.has(`${m.kind}/${m.name}`) && !prior(m))
        .map((m) => `Secret/${m.name}-pguser-`);
      const late = [...new Set(needs)].filter((ref) => {
        const [kind, name] = ref.split('/');
        if (operatorSecrets.some((prefix) => ref.startsWith(prefix))) return true;
        return !hookNames.has(ref) && model.items.some((m) => m.kind === kind && m.name === name && nsOf(m) === nsOf(t.owner) && !prior(m));
      });
      if (late.length) {
        sink.error('invariant/hook-order', t.owner.doc, ['metadata', 'annotations'], `${t.owner.kind} '${t.owner.name}' is a pre-install hook but reads ${late.join(', ')}, which the release creates only after pre-install hooks ran`, 'run it as a post-install hook, make those objects hooks with a lower weight, or create them before installing');
      }
    }
    if (componentOf(t.owner) === 'migration' && hooks.includes('post-install')) {
      sink.warn('invariant/hook-order', t.owner.doc, ['metadata', 'annotations'], 'the migration runs post-install, after the gateway pods start waiting for the schema; with helm --wait the install can deadlock until the startup probe gives up', 'run the migration before the gateway (pre-install with its inputs available, or an init step)');
    }
  }
}

function checkJwtSecret(model: Model, sink: Sink): void {
  for (const t of model.templates) {
    for (const { c, path } of containersOf(t.spec)) {
      const sh = shellScript(c);
      const text = sh?.script ?? [...(c.command ?? []), ...(c.args ?? [])].join(' ');
      if (!/create_jwt_token/.test(text)) continue;
      const fromEnv = (Array.isArray(c.env) ? c.env : []).some((e: any) => e?.name === 'JWT_SECRET_KEY' && isPlainObject(e.valueFrom?.secretKeyRef));
      const fromEnvFrom = (Array.isArray(c.envFrom) ? c.envFrom : []).some((e: any) => isPlainObject(e?.secretRef));
      if (fromEnv || fromEnvFrom) continue;
      sink.error('invariant/jwt-secret-env', t.owner.doc, [...t.path, 'spec', ...path], `container '${c.name}' mints a JWT with create_jwt_token but gets no JWT_SECRET_KEY from a Secret; the token is signed with a placeholder and every call gets 401`, 'add env JWT_SECRET_KEY from secretKeyRef (or envFrom the gateway Secret)');
    }
  }
}

export function checkJobs(model: Model, sink: Sink, priorFiles: readonly string[] = []): void {
  checkImages(model, sink);
  checkHooks(model, sink, priorFiles);
  checkJwtSecret(model, sink);
}
