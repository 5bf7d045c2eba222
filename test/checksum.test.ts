import { goJson, nameHash, valuesChecksum } from '../lib/constructs/core/checksum';

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
});
