/**
 * Limits and formats only the API server enforces, now gate rules (the cluster tier's differential test shows the
 * server refuses each): data over 1 MiB, and the CIDR parser behind `object/cidr`.
 */
import { dump } from 'js-yaml';
import { parseYamlStream, validateDocuments } from '../../lib/gate';
import { cidrProblem, MAX_DATA_BYTES } from '../../lib/gate/server-formats';

const errorsOf = (o: any) => validateDocuments(parseYamlStream(dump(o, { lineWidth: -1 }), 'x.yaml')).findings.filter((f) => f.severity === 'error');

describe('server-only limits in the gate', () => {
  const cm = (size: number) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big', namespace: 'ns' }, data: { blob: 'x'.repeat(size) } });

  it('refuses a ConfigMap whose data is over 1 MiB, with its size', () => {
    const errors = errorsOf(cm(MAX_DATA_BYTES));
    expect(errors.map((e) => e.rule)).toEqual(['object/too-large']);
    expect(errors[0].message).toBe(`ConfigMap data is ${MAX_DATA_BYTES + 4} bytes; the API server refuses more than ${MAX_DATA_BYTES} (1 MiB)`);
  });

  it('accepts one just under the limit', () => {
    expect(errorsOf(cm(MAX_DATA_BYTES - 4)).map((e) => e.rule)).not.toContain('object/too-large');
  });

  it.each([
    ['10.0.0.0/16', undefined],
    ['0.0.0.0/0', undefined],
    ['fd00::/8', undefined],
    ['2001:db8:0:0:0:0:0:0/32', undefined],
    ['999.10.0.0/16', 'has an IPv4 octet above 255 or with a leading zero'],
    ['10.0.0.0/33', 'has an IPv4 prefix length above 32'],
    ['010.0.0.0/8', 'has an IPv4 octet above 255 or with a leading zero'],
    ['10.0.0.0', 'must be an IP address and prefix length, e.g. 10.0.0.0/16'],
    ['fd00::/129', 'has an IPv6 prefix length above 128'],
    ['fd00::1::2/64', "has more than one '::'"],
  ])('cidr %s', (cidr, problem) => {
    expect(cidrProblem(cidr)).toBe(problem);
  });
});
