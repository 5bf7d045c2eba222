/**
 * How long an idle MCP stream (SSE or streamable HTTP) may stay open at every hop in front of the gateway. NGINX
 * holds MCP streams for an hour; each way in (Route, Ingress, tenant exposures) must allow at least as long, or the
 * first hop with a shorter idle timeout ends the stream (the OpenShift router's default is 30 s, ingress-nginx's 60 s).
 */
export const STREAM_TIMEOUT_SECONDS = 3600;

/** The annotation the OpenShift router (HAProxy) reads for a Route's server and tunnel idle timeout. */
export const ROUTE_TIMEOUT_ANNOTATION = 'haproxy.router.openshift.io/timeout';

/** Route annotations that keep MCP streams open for `STREAM_TIMEOUT_SECONDS`. */
export function routeStreamAnnotations(): Record<string, string> {
  return { [ROUTE_TIMEOUT_ANNOTATION]: `${STREAM_TIMEOUT_SECONDS}s` };
}

/** ingress-nginx annotations that neither buffer nor cut MCP streams before `STREAM_TIMEOUT_SECONDS`. */
export function ingressStreamAnnotations(): Record<string, string> {
  return {
    'nginx.ingress.kubernetes.io/proxy-buffering': 'off',
    'nginx.ingress.kubernetes.io/proxy-read-timeout': String(STREAM_TIMEOUT_SECONDS),
    'nginx.ingress.kubernetes.io/proxy-send-timeout': String(STREAM_TIMEOUT_SECONDS),
  };
}
