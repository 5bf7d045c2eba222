/**
 * The gate takes the objects the synth wrote instead of parsing its text again, only where kubectl provably reads
 * the text back as those objects. Checked against the real parse (YAML 1.1, as kubectl) of the real output of every
 * profile with tenants, and of the scalars YAML quotes or types differently.
 */
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { synthGate } from '../../lib/cli/gate';
import { renderProfile } from '../../lib/cli/synth';
import { toYamlStream, withWrittenObjects } from '../../lib/output/index';
import { loadKubectlStream } from '../../lib/gate/load';
import { readBack } from '../../lib/gate/written';
import { values } from '../support';

const TENANTS = join(__dirname, '..', '..', 'examples', 'tenants.yaml');

// production allows images from its own registry only, so its example tenants would be refused.
describe.each([
  ['kind', 'and the example tenants'],
  ['ocp', 'and the example tenants'],
  ['production', ''],
])('the %s profile with the benchmark %s', (profile, tenants) => {
  const v = values(profile, ['benchmark.enabled=true'], tenants ? { tenantsFile: TENANTS } : {});
  const { result: files, written } = withWrittenObjects(() => renderProfile(v), readBack);
  const yamlFiles = [...files].filter(([file]) => /\.ya?ml$/.test(file));

  test('every file the synth writes is read from its objects, exactly as kubectl and js-yaml parse its text', () => {
    expect(yamlFiles.length).toBeGreaterThan(5);
    for (const [file, text] of yamlFiles) {
      const held = written.get(text);
      if (!held) throw new Error(`${file}: not read from its objects`);
      expect({ file, docs: held }).toStrictEqual({ file, docs: loadKubectlStream(text) });
      expect({ file, docs: held }).toStrictEqual({ file, docs: loadAll(text).filter((d) => d != null) });
    }
  });

  test('the gate reports the same from the objects as from parsing the text', () => {
    const fromObjects = synthGate(v, files, new Map(written));
    const parsed = synthGate(v, files);
    expect(fromObjects).toEqual(parsed);
    expect(parsed.ok).toBe(true);
  });
});

/** Scalars YAML 1.1 and 1.2 read differently, or that need quotes, as values and as keys. */
const AWKWARD = [
  'yes', 'no', 'on', 'off', 'y', 'n', 'Yes', 'ON', 'true', 'False', 'null', '~', '', ' ', ' lead', 'trail ',
  '0755', '0o755', '0x1f', '1e3', '1_000', '1:20', '.inf', '-.Inf', '.nan', '2001-12-14', '2001-12-14T21:59:43Z',
  'a: b', 'a #b', '#c', '- x', '? y', '<<', '=', '@at', '`tick', '"q"', "'s'", '{x}', '[y]', '*ref', '&anchor', '!tag',
  'multi\nline', 'ends with newline\n', 'two trailing\n\n', '\nleading newline', 'tab\there', 'ünïcode', 'x'.repeat(1100),
];

describe('scalars that need care', () => {
  test('every one is either proven to read back as itself or left to the parser, never read wrongly', () => {
    const docs = [
      { values: AWKWARD, numbers: [0, -0, 0.1, 1e21, -1.5e-7, 2 ** 53, Number.MAX_SAFE_INTEGER + 2], flags: [true, false, null] },
      Object.fromEntries(AWKWARD.map((k, i) => [k, i])),
      ...AWKWARD.map((s) => ({ one: s, [s]: s })),
    ];
    let proven = 0;
    for (const doc of docs) {
      const text = toYamlStream([doc]);
      const read = readBack([doc]);
      if (read === undefined) continue;
      proven++;
      expect({ text, read }).toStrictEqual({ text, read: loadKubectlStream(text) });
    }
    // The checks prove most of them (they are only refused when the parse would differ).
    expect(proven).toBeGreaterThan(docs.length / 2);
  });

  test('undefined mapping values are dropped and undefined list items read as null, as the writer writes them', () => {
    const doc = { a: undefined, b: [1, undefined, 'x'], c: { d: undefined } };
    expect(readBack([doc, null, undefined])).toStrictEqual(loadKubectlStream(toYamlStream([doc, null, undefined])));
    expect(readBack([doc])).toStrictEqual([{ b: [1, null, 'x'], c: {} }]);
  });

  test('what js-yaml writes as a whole (a date, a class instance, a scalar document) is left to the parser', () => {
    class Box {
      constructor(readonly v: number) {}
    }
    expect(readBack([{ when: new Date(0) }])).toBeUndefined();
    expect(readBack([{ box: new Box(1) }])).toBeUndefined();
    expect(readBack(['just a string'])).toBeUndefined();
    const { written } = withWrittenObjects(() => toYamlStream([{ when: new Date(0) }]), readBack);
    expect(written.size).toBe(0);
  });
});
