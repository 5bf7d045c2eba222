/** `kind`: a laptop cluster. Everything fits one 4 CPU / 8 GiB node, Postgres runs as a plain StatefulSet. */
import type { ValuesOverride } from './schema';

export const kind: ValuesOverride = {
  profile: 'kind',
  platform: 'kubernetes',
  images: { pullPolicy: 'IfNotPresent' },
  gateway: {
    replicas: 1,
    resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } },
    workers: 2,
    // One pod cannot keep a PDB satisfied and still be drained.
    pdb: { enabled: false },
  },
  nginx: { replicas: 1, resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } } },
  database: { mode: 'standalone' },
  redis: { resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } } },
  exposure: { type: 'ingress', host: 'mcp.localtest.me', ingressClassName: 'nginx', tlsSecretName: '' },
  // *.localtest.me resolves to 127.0.0.1, so tenant Ingresses work on a laptop without DNS.
  tenants: { exposure: { domain: 'localtest.me' }, admission: 'validating-admission-policy' },
  cluster: { name: 'kind (1 node)', nodes: 1, cpu: '4', memory: '8Gi', reservedCpu: '0', reservedMemory: '0' },
};
