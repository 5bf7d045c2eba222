/** The one way into the stack for a profile: an OpenShift Route (reencrypt to NGINX 8443) or an Ingress. */
import { Construct } from 'constructs';
import { Route, RouteSpecTlsInsecureEdgeTerminationPolicy, RouteSpecTlsTermination, RouteSpecToKind, RouteSpecWildcardPolicy } from '../imports/route.openshift.io';
import { k8s, type StackContext } from './core/context';
import { ingressStreamAnnotations, routeStreamAnnotations } from './core/streaming';

export interface ExposureProps {
  readonly ctx: StackContext;
  /** The Service that takes outside traffic (NGINX, or the gateway when there is no proxy). */
  readonly serviceName: string;
  readonly servicePort: number;
}

export class Exposure extends Construct {
  constructor(scope: Construct, id: string, props: ExposureProps) {
    super(scope, id);
    const { ctx, serviceName, servicePort } = props;
    const e = ctx.values.exposure;
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
