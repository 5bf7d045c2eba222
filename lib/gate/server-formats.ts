/**
 * Limits and formats the API server enforces that the OpenAPI schema does not describe, each found by applying a
 * broken object to a real API server (the cluster tier's differential test): the 1 MiB ConfigMap and Secret size,
 * DNS-subdomain names in an Ingress (class, TLS Secret), and well-formed CIDRs in NetworkPolicy ipBlocks.
 */
import { isPlainObject, type Manifest, type Model } from './model';
import { nameProblem } from './names';
import type { Sink } from './types';

/** The API server's limit on a ConfigMap's or Secret's data (corev1 MaxSecretSize / total ConfigMap size). */
export const MAX_DATA_BYTES = 1024 * 1024;

function dataBytes(m: Manifest): number {
  let total = 0;
  for (const field of ['data', 'binaryData', 'stringData']) {
    const data = m.obj[field];
    if (!isPlainObject(data)) continue;
    for (const [key, value] of Object.entries(data)) {
      const text = typeof value === 'string' ? value : '';
      // binaryData and Secret data are base64: count the decoded bytes.
      const bytes = field === 'binaryData' || (m.kind === 'Secret' && field === 'data') ? Buffer.from(text, 'base64').length : Buffer.byteLength(text, 'utf8');
      total += bytes + (m.kind === 'ConfigMap' ? Buffer.byteLength(key, 'utf8') : 0);
    }
  }
  return total;
}

/** Why `cidr` is not a CIDR the API server accepts, or undefined. */
export function cidrProblem(cidr: unknown): string | undefined {
  if (typeof cidr !== 'string') return 'must be a string';
  const m4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (m4) {
    const octets = m4.slice(1, 5).map(Number);
    if (octets.some((o, i) => o > 255 || (m4[i + 1].length > 1 && m4[i + 1].startsWith('0')))) return 'has an IPv4 octet above 255 or with a leading zero';
    if (Number(m4[5]) > 32) return 'has an IPv4 prefix length above 32';
    return undefined;
  }
  const m6 = /^([0-9a-fA-F:.]+)\/(\d{1,3})$/.exec(cidr);
  if (m6 && m6[1].includes(':')) {
    if (Number(m6[2]) > 128) return 'has an IPv6 prefix length above 128';
    const groups = m6[1].split('::');
    if (groups.length > 2) return "has more than one '::'";
    const parts = groups.flatMap((g) => (g ? g.split(':') : []));
    if (parts.some((p) => !/^[0-9a-fA-F]{1,4}$/.test(p)) || parts.length > 8 || (groups.length === 1 && parts.length !== 8)) return 'is not a valid IPv6 address';
    return undefined;
  }
  return 'must be an IP address and prefix length, e.g. 10.0.0.0/16';
}

export function checkServerFormats(model: Model, sink: Sink): void {
  for (const m of model.items) {
    if (m.group === '' && (m.kind === 'ConfigMap' || m.kind === 'Secret')) {
      const bytes = dataBytes(m);
      if (bytes > MAX_DATA_BYTES) {
        sink.error('object/too-large', m.doc, ['data'], `${m.kind} data is ${bytes} bytes; the API server refuses more than ${MAX_DATA_BYTES} (1 MiB)`, 'split it into several objects or mount the content from a volume or an image');
      }
    }
    if (m.group === 'networking.k8s.io' && m.kind === 'Ingress') {
      const spec = m.obj.spec ?? {};
      if (typeof spec.ingressClassName === 'string') {
        const p = nameProblem(spec.ingressClassName, 'dns1123-subdomain');
        if (p) sink.error('object/name-format', m.doc, ['spec', 'ingressClassName'], `ingressClassName '${spec.ingressClassName}' ${p}`, 'use the name of an IngressClass');
      }
      (Array.isArray(spec.tls) ? spec.tls : []).forEach((t: any, i: number) => {
        if (typeof t?.secretName !== 'string') return;
        const p = nameProblem(t.secretName, 'dns1123-subdomain');
        if (p) sink.error('object/name-format', m.doc, ['spec', 'tls', i, 'secretName'], `TLS secretName '${t.secretName}' ${p}`, 'use the name of a Secret in the same namespace');
      });
    }
    if (m.group === 'networking.k8s.io' && m.kind === 'NetworkPolicy') {
      for (const dir of ['ingress', 'egress'] as const) {
        const rules = Array.isArray(m.obj.spec?.[dir]) ? m.obj.spec[dir] : [];
        rules.forEach((rule: any, r: number) => {
          const peers = Array.isArray(rule?.[dir === 'ingress' ? 'from' : 'to']) ? rule[dir === 'ingress' ? 'from' : 'to'] : [];
          peers.forEach((peer: any, p: number) => {
            if (!isPlainObject(peer?.ipBlock)) return;
            const base = ['spec', dir, r, dir === 'ingress' ? 'from' : 'to', p, 'ipBlock'];
            const problem = cidrProblem(peer.ipBlock.cidr);
            if (problem) sink.error('object/cidr', m.doc, [...base, 'cidr'], `ipBlock cidr '${peer.ipBlock.cidr}' ${problem}`, 'write an address and prefix length, e.g. 203.0.113.0/24');
            (Array.isArray(peer.ipBlock.except) ? peer.ipBlock.except : []).forEach((e: unknown, i: number) => {
              const ep = cidrProblem(e);
              if (ep) sink.error('object/cidr', m.doc, [...base, 'except', i], `ipBlock except '${String(e)}' ${ep}`, 'write an address and prefix length inside the cidr');
            });
          });
        });
      }
    }
  }
}
