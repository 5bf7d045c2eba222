/** The one way into the stack for a profile: an OpenShift Route (reencrypt to NGINX 8443) or an Ingress. */
import { Construct } from 'constructs';
import { Route, RouteSpecTlsInsecureEdgeTerminationPolicy, RouteSpecTlsTermination, RouteSpecToKind, RouteSpecWildcardPolicy } from '../../imports/route.openshift.io';
import { defaults } from '../../profiles/defaults';
import type { Values } from '../../profiles/schema';
import { k8s, StackContext } from './core/context';
import { propProblem, refuseProps } from './core/props-check';
import { ingressStreamAnnotations, routeStreamAnnotations } from './core/streaming';

/** How the stack is reached from outside, as under `exposure` in the values. */
export type ExposureSettings = Values['exposure'];

/** The Service that takes outside traffic: `NginxProxy`, or the `Gateway` when there is no proxy. */
export interface ExposedService {
  readonly serviceName: string;
  readonly servicePort: number;
}

/**
 * Every setting is optional and defaults to the built-in defaults (`exposure` in `profiles/defaults.ts`): an Ingress
 * of class `nginx` for `mcp.localtest.me`, without TLS.
 */
export interface ExposureProps extends Partial<ExposureSettings> {
  /** Release, namespace and platform. @default StackContext.of(scope) */
  readonly context?: StackContext;
  /** The Service outside traffic goes to. A Route reencrypts to its port named `https` (NGINX with `tls`). */
  readonly service: ExposedService;
}

/**
 * Labels of the namespaces outside traffic comes from: the router's for a Route, the ingress controller's for an
 * Ingress, none without exposure (port-forward does not pass NetworkPolicies).
 */
export function frontDoorNamespaces(
  type: ExposureSettings['type'],
  networkPolicies: Pick<Values['networkPolicies'], 'routerNamespaceLabels' | 'ingressNamespaceLabels'>,
): Record<string, string> | undefined {
  return type === 'route' ? networkPolicies.routerNamespaceLabels : type === 'ingress' ? networkPolicies.ingressNamespaceLabels : undefined;
}

export class Exposure extends Construct {
  constructor(scope: Construct, id: string, props: ExposureProps) {
    super(scope, id);
    const { context, service, ...settings } = props;
    const ctx = context ?? StackContext.of(this);
    const e: ExposureSettings = { ...defaults.exposure, ...settings };
    const { serviceName, servicePort } = service;
    refuseProps(this, 'Exposure', [
      e.type === 'ingress' && !e.host ? propProblem('host', e.host, 'must be set for an Ingress') : undefined,
    ]);
    const name = ctx.name('gateway');
    if (e.type === 'route') {
      new Route(this, 'Route', {
        // The router's default 30 s idle timeout would end MCP streams that NGINX keeps open for an hour.
        metadata: ctx.meta('exposure', name, { annotations: routeStreamAnnotations() }),
        spec: {
          ...(e.host ? { host: e.host } : {}),
          to: { kind: RouteSpecToKind.SERVICE, name: serviceName, weight: 100 },
          port: { targetPort: 'https' },
          // The router trusts the service CA, so reencrypt needs no destination CA here.
          tls: { termination: RouteSpecTlsTermination.REENCRYPT, insecureEdgeTerminationPolicy: RouteSpecTlsInsecureEdgeTerminationPolicy.REDIRECT },
          wildcardPolicy: RouteSpecWildcardPolicy.NONE,
        },
      });
    } else if (e.type === 'ingress') {
      new k8s.KubeIngress(this, 'Ingress', {
        metadata: ctx.meta('exposure', name, {
          annotations: {
            // MCP streams stay open; ingress-nginx must neither buffer nor cut them at its 60 s default.
            ...ingressStreamAnnotations(),
            ...(e.tlsSecretName ? { 'nginx.ingress.kubernetes.io/force-ssl-redirect': 'true' } : {}),
          },
        }),
        spec: {
          ...(e.ingressClassName ? { ingressClassName: e.ingressClassName } : {}),
          ...(e.tlsSecretName ? { tls: [{ hosts: [e.host], secretName: e.tlsSecretName }] } : {}),
          rules: [
            {
              host: e.host,
              http: {
                paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: serviceName, port: { number: servicePort } } } }],
              },
            },
          ],
        },
      });
    }
  }
}
