import { createHash } from 'node:crypto';
import { goJson, nameHash, revisionOf, saltedValuesChecksum, valuesChecksum, valuesNameHash } from '../lib/constructs/core/checksum';

describe('digests shared with the Helm chart', () => {
  test('goJson writes what Go encoding/json writes: sorted keys, HTML-escaped, compact', () => {
    expect(goJson({ b: 1, a: ['x', true, null], c: { z: 0.9, y: 'a<b>&c' } })).toBe('{"a":["x",true,null],"b":1,"c":{"y":"a\\u003cb\\u003e\\u0026c","z":0.9}}');
    expect(goJson('line\nbreak "quoted"')).toBe('"line\\nbreak \\"quoted\\""');
    expect(goJson({})).toBe('{}');
  });

  test('checksums and name hashes are stable and change with their input', () => {
    expect(valuesChecksum({ a: 1 }, 'rel')).toBe(valuesChecksum({ a: 1 }, 'rel'));
    expect(valuesChecksum({ a: 1 }, 'rel')).not.toBe(valuesChecksum({ a: 2 }, 'rel'));
    // sha256("abc") starts with ba7816bf
    expect(nameHash('abc')).toBe('ba7816bf');
  });

  test('a salted checksum is the sha256 of the Go JSON, a newline and the salt (what Helm\'s printf "%s\\n%s" makes)', () => {
    const sha = (s: string) => createHash('sha256').update(s).digest('hex');
    expect(saltedValuesChecksum([{ b: 1, a: 'x<y' }, 'rel'], '0123abcd')).toBe(sha('[{"a":"x\\u003cy","b":1},"rel"]\n0123abcd'));
    expect(saltedValuesChecksum([{ a: 1 }], 'one')).not.toBe(saltedValuesChecksum([{ a: 1 }], 'two'));
    expect(revisionOf(['a', 'b'])).toBe(sha('a\nb').slice(0, 16));
    // Without a salt it is the plain checksum; a name hash is its first 8 hex digits, salted or not.
    expect(saltedValuesChecksum([{ a: 1 }, 'rel'])).toBe(sha('[{"a":1},"rel"]'));
    expect(valuesNameHash([{ a: 1 }], 'one')).toBe(sha('[{"a":1}]\none').slice(0, 8));
  });
});
