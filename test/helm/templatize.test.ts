/**
 * Reading tokens back out of rendered strings (lib/helm/templatize.ts). One analysis scans over a million strings,
 * mostly the same ones, so registries share what a string scanned to; they may share it only when their tokens mean
 * the same knobs.
 */
import { loadValues } from '../../profiles/loader';
import { cloneJson, type Knob } from '../../lib/helm/knobs';
import { DigestMemo, Registry } from '../../lib/helm/templatize';

// Two knobs no digest of the values covers: swapping their values swaps what each token means and nothing else.
const IDS = ['benchmark.master.priorityClassName', 'benchmark.worker.priorityClassName'];
const knob = (id: string): Knob => ({ id, path: id.split('.'), kind: 'string', optional: false, allowsEmpty: false, patterns: [] });

/** A registry of the kind profile's values in which the two knobs hold the tokens given. */
function registry(first: string, second: string, memo: DigestMemo): Registry {
  const values = cloneJson(loadValues({ profile: 'kind' })) as any;
  values.benchmark.master.priorityClassName = first;
  values.benchmark.worker.priorityClassName = second;
  return new Registry(values, IDS.map(knob), new Map([[IDS[0], first], [IDS[1], second]]), memo);
}

const knobsIn = (reg: Registry, s: string) => reg.scan(s).map((p) => (p.p === 'str' && 'knob' in p.ref ? p.ref.knob : p.p));
/** The token texts a registry reads (what its scanner is compiled from). */
const tokenTexts = (reg: Registry) => [...((reg as any).texts as Map<string, unknown>).keys()].sort();

describe('token scans shared between registries', () => {
  it('give each registry what its own tokens stand for, even when two use the same tokens for other knobs', () => {
    const memo = new DigestMemo();
    const first = registry('zqfirstq', 'zqsecondq', memo);
    const swapped = registry('zqsecondq', 'zqfirstq', memo);
    expect(tokenTexts(swapped)).toEqual(tokenTexts(first));
    const text = 'pull zqfirstq then zqsecondq';
    expect(knobsIn(first, text)).toEqual(['lit', IDS[0], 'lit', IDS[1]]);
    expect(knobsIn(swapped, text)).toEqual(['lit', IDS[1], 'lit', IDS[0]]);
    // Asked again (answered from the shared scans), each still gets its own.
    expect(knobsIn(first, text)).toEqual(['lit', IDS[0], 'lit', IDS[1]]);
    expect(knobsIn(registry('zqfirstq', 'zqsecondq', memo), text)).toEqual(['lit', IDS[0], 'lit', IDS[1]]);
  });

  it('hand out a copy: a caller changing its parts changes no later answer', () => {
    const memo = new DigestMemo();
    const reg = registry('zqfirstq', 'zqsecondq', memo);
    for (let i = 0; i < 2; i++) reg.scan('zqfirstq/x').push({ p: 'lit', s: 'added' });
    expect(knobsIn(registry('zqfirstq', 'zqsecondq', memo), 'zqfirstq/x')).toEqual([IDS[0], 'lit']);
  });
});
