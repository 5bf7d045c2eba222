/**
 * MCP streams (SSE, streamable HTTP) idle between events. Every way into the stack must keep an idle stream open at
 * least as long as NGINX does behind it, or the shortest hop decides: the OpenShift router cuts at 30 s and
 * ingress-nginx at 60 s unless told otherwise.
 */
import { STREAM_TIMEOUT_SECONDS, ROUTE_TIMEOUT_ANNOTATION } from '../constructs/core/streaming';
import { isPlainObject, nsOf, type Manifest, type Model } from './model';
import type { Sink } from './types';

const INGRESS_READ_TIMEOUT = 'nginx.ingress.kubernetes.io/proxy-read-timeout';
const INGRESS_SEND_TIMEOUT = 'nginx.ingress.kubernetes.io/proxy-send-timeout';

const UNIT_SECONDS: Record<string, number> = { us: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600, d: 86400 };

/** An HAProxy time (`3600s`, `1h`, `500ms`; a bare number is milliseconds), in seconds; undefined when malformed. */
export function haproxySeconds(v: string): number | undefined {
  const m = /^(\d+)(us|ms|s|m|h|d)?$/.exec(v.trim());
  return m ? Number(m[1]) * UNIT_SECONDS[m[2] ?? 'ms'] : undefined;
}

/** An NGINX time (`1h`, `300s`, `90`; a bare number is seconds), in seconds. */
function nginxSeconds(v: string): number | undefined {
  const m = /^(\d+)(ms|s|m|h|d)?$/.exec(v.trim());
  return m ? Number(m[1]) * UNIT_SECONDS[m[2] ?? 's'] : undefined;
}

/** The longest `proxy_read_timeout` of the NGINX configurations in a namespace: how long NGINX holds a stream. */
function nginxStreamSeconds(model: Model, ns: string): number | undefined {
  let longest: number | undefined;
  for (const cm of model.items.filter((m) => m.kind === 'ConfigMap' && m.group === '' && nsOf(m) === ns && isPlainObject(m.obj.data))) {
    for (const v of Object.values<unknown>(cm.obj.data)) {
      if (typeof v !== 'string') continue;
      for (const t of v.matchAll(/\bproxy_read_timeout\s+([^;\s]+)\s*;/g)) {
        const s = nginxSeconds(t[1]);
        if (s !== undefined && (longest === undefined || s > longest)) longest = s;
      }
    }
  }
  return longest;
}

function annotationsOf(m: Manifest): Record<string, unknown> {
  return isPlainObject(m.obj.metadata?.annotations) ? m.obj.metadata.annotations : {};
}

export function checkStreamTimeouts(model: Model, sink: Sink): void {
  const needed = (m: Manifest) => nginxStreamSeconds(model, nsOf(m)) ?? STREAM_TIMEOUT_SECONDS;
  for (const r of model.items.filter((m) => m.group === 'route.openshift.io' && m.kind === 'Route')) {
    const want = needed(r);
    const raw = annotationsOf(r)[ROUTE_TIMEOUT_ANNOTATION];
    const path = ['metadata', 'annotations', ROUTE_TIMEOUT_ANNOTATION];
    const fix = `annotate the Route with ${ROUTE_TIMEOUT_ANNOTATION}: ${want}s`;
    if (raw === undefined) {
      sink.error('invariant/stream-timeout', r.doc, ['metadata', 'annotations'], `Route '${r.name}' has no ${ROUTE_TIMEOUT_ANNOTATION} annotation: the router ends idle MCP streams after its 30 s default, while the stack keeps them open for ${want} s`, fix);
      continue;
    }
    const seconds = typeof raw === 'string' ? haproxySeconds(raw) : undefined;
    if (seconds === undefined) sink.error('invariant/stream-timeout', r.doc, path, `Route '${r.name}' has ${ROUTE_TIMEOUT_ANNOTATION} ${JSON.stringify(raw)}, which is not an HAProxy time such as 3600s`, fix);
    else if (seconds < want) sink.error('invariant/stream-timeout', r.doc, path, `Route '${r.name}' ends idle MCP streams after ${seconds} s (${ROUTE_TIMEOUT_ANNOTATION}: ${raw}), before the ${want} s the stack keeps them open`, fix);
  }
  for (const ing of model.items.filter((m) => m.group === 'networking.k8s.io' && m.kind === 'Ingress')) {
    const want = needed(ing);
    const annotations = annotationsOf(ing);
    for (const key of [INGRESS_READ_TIMEOUT, INGRESS_SEND_TIMEOUT]) {
      const raw = annotations[key];
      const fix = `annotate the Ingress with ${key}: "${want}" (or the equivalent of its ingress controller)`;
      if (raw === undefined) {
        // Other controllers take other annotations; only ingress-nginx's are known here.
        sink.warn('invariant/stream-timeout', ing.doc, ['metadata', 'annotations'], `Ingress '${ing.name}' sets no ${key}: ingress-nginx would end idle MCP streams after 60 s, while the stack keeps them open for ${want} s`, fix);
        continue;
      }
      const seconds = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : undefined;
      if (seconds === undefined) sink.error('invariant/stream-timeout', ing.doc, ['metadata', 'annotations', key], `Ingress '${ing.name}' has ${key} ${JSON.stringify(raw)}, which is not a number of seconds`, fix);
      else if (seconds < want) sink.error('invariant/stream-timeout', ing.doc, ['metadata', 'annotations', key], `Ingress '${ing.name}' ends idle MCP streams after ${seconds} s (${key}), before the ${want} s the stack keeps them open`, fix);
    }
  }
}
