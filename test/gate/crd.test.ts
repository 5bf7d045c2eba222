/** The CRD converter and CEL evaluation, on a toy CRD that uses every extension the gate supports. */
import { join } from 'node:path';
import { validateDocuments, type GateReport } from '../../lib/gate';
import { desugarOptionals } from '../../lib/gate/cel-optional';
import { evaluate } from '../../lib/gate/cel';
import { pruneSchema, structureOf } from '../../lib/gate/crd-convert';
import { FIXTURES } from './support';

const crdDir = join(FIXTURES, 'crds');

function widget(spec: Record<string, unknown>, apiVersion = 'example.com/v1'): any {
  return { apiVersion, kind: 'Widget', metadata: { name: 'w', namespace: 'demo' }, spec };
}

function check(obj: any, crdFiles?: Record<string, string>): GateReport {
  return validateDocuments([{ file: 'w.yaml', object: obj }], { crdDir, crdFiles });
}

function messages(report: GateReport, rule: string): string[] {
  return report.findings.filter((f) => f.rule === rule).map((f) => `${f.path}: ${f.message}`);
}

describe('custom resources against their CRD', () => {
  it('accepts a valid object, applying the default protocol before checking list-map keys', () => {
    const report = check(widget({ replicas: 2, port: 'http', note: null, code: 'abc', timeout: '30m', extra: { any: { thing: 1 } }, template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' }, spec: { y: 1 } }, tags: ['a', 'b'], ports: [{ name: 'a' }, { name: 'a', protocol: 'UDP' }] }));
    expect(report.findings).toEqual([]);
  });

  it('rejects unknown fields at the spec, inside embedded resources and in list items', () => {
    const report = check(widget({ replicas: 2, bogus: 1, template: { apiVersion: 'v1', kind: 'Pod', status: {} }, ports: [{ name: 'a', typo: 1 }] }));
    expect(messages(report, 'schema/unknown-field')).toEqual([
      "spec.bogus: unknown field 'bogus' in 'spec' (example.com/v1 Widget (CRD widgets.example.com.crd.yaml)); allowed here: code, extra, note, port, ports, replicas, size, tags, template, timeout",
      expect.stringMatching(/^spec\.ports\[0\]\.typo: unknown field 'typo'/),
      expect.stringMatching(/^spec\.template\.status: unknown field 'status'/),
    ]);
  });

  it('checks int-or-string, nullable with maxLength, minimum and required', () => {
    const report = check(widget({ port: true, note: 'too long' }));
    expect(messages(report, 'schema/type')).toEqual([expect.stringContaining("'spec.port' must be integer or string, got boolean true")]);
    expect(messages(report, 'schema/range')).toEqual([expect.stringContaining("'spec.note' must NOT have more than 5 characters")]);
    expect(messages(report, 'schema/required')).toEqual([expect.stringContaining("missing required field 'replicas'")]);
  });

  it('uses Go RE2 for patterns (POSIX classes work)', () => {
    expect(check(widget({ replicas: 2, code: 'abc' })).findings).toEqual([]);
    expect(messages(check(widget({ replicas: 2, code: 'ab1' })), 'schema/pattern')).toEqual([expect.stringContaining('does not match ^[[:alpha:]]+$')]);
  });

  it('finds duplicates in set and map lists, with defaults applied to map keys', () => {
    const report = check(widget({ replicas: 2, tags: ['a', 'a'], ports: [{ name: 'a' }, { name: 'a', protocol: 'TCP' }] }));
    expect(messages(report, 'schema/list-set-duplicate')).toEqual([expect.stringContaining('spec.tags[1]: duplicate entry')]);
    expect(messages(report, 'schema/list-map-duplicate')).toEqual([expect.stringContaining('spec.ports[1]: duplicate entry in a list of type \'map\': item 1 repeats item 0 (key (name, protocol) = ["a","TCP"])')]);
  });

  it('evaluates CEL rules with message, messageExpression, fieldPath and durations', () => {
    const report = check(widget({ replicas: 11, timeout: '2h' }));
    expect(messages(report, 'schema/cel')).toEqual(['spec: replicas 11 is odd', 'spec.replicas: at most 10 replicas', 'spec.timeout: timeout must be at most 1h']);
  });

  it('lists the rules it cannot evaluate instead of passing them silently', () => {
    const report = check(widget({ replicas: 2, size: '1Gi' }));
    expect(report.findings).toEqual([]);
    expect(report.notEvaluable).toEqual([
      { crd: 'widgets.example.com', path: '/spec', rule: "!has(self.size) || quantity(self.size).isLessThan(quantity('10Gi'))", reason: expect.stringContaining('unbound function') },
      { crd: 'widgets.example.com', path: '/spec', rule: 'self.replicas >= oldSelf.replicas', reason: expect.stringContaining('transition rule') },
    ]);
  });

  it('warns on deprecated versions and rejects versions that are not served', () => {
    const deprecated = check(widget({ anything: 1 }, 'example.com/v1alpha1'));
    expect(deprecated.findings.map((f) => [f.severity, f.rule, f.message])).toEqual([['warning', 'schema/deprecated-version', 'example.com/v1alpha1 Widget is deprecated: example.com/v1alpha1 Widget is deprecated; use example.com/v1']]);
    const unserved = check(widget({}, 'example.com/v1beta1'));
    expect(messages(unserved, 'schema/unknown-kind')).toEqual(["apiVersion: example.com/v1beta1 Widget: CRD widgets.example.com does not serve version 'v1beta1' (served: v1, v1alpha1)"]);
  });

  it('knows cluster-scoped custom resources from the CRD scope, also in a multi-document CRD file', () => {
    const report = validateDocuments([{ file: 'g.yaml', object: { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g', namespace: 'demo' } } }], { crdDir });
    expect(report.findings.map((f) => f.rule)).toEqual(['object/cluster-scoped-namespace']);
  });

  it('uses a pinned CRD file when several define the same kind', () => {
    expect(messages(check(widget({ replicas: 2, legacy: true })), 'schema/unknown-field')).toHaveLength(1);
    expect(check(widget({ replicas: 2, legacy: true }), { 'example.com/Widget': 'widgets.example.com.v2.crd.yaml' }).findings).toEqual([]);
  });

  it('checks metadata of custom resources as strictly as core objects', () => {
    const obj = widget({ replicas: 2 });
    obj.metadata.type = 'x';
    expect(messages(check(obj), 'schema/unknown-field')).toEqual([expect.stringContaining("metadata.type: unknown field 'type' in 'metadata'")]);
  });
});

describe('CEL optional syntax rewriting', () => {
  it.each([
    ['!has(self.?config.parameters.ssl_groups) || self.v > 17', '!(has(self.config) && has(self.config.parameters) && has(self.config.parameters.ssl_groups)) || self.v > 17'],
    ['!self.?global["log-path"].hasValue()', '!(has(self.global) && "log-path" in self.global)'],
    ['self.?a.b.optMap(v, v.startsWith("/x")).orValue(true)', '((has(self.a) && has(self.a.b)) ? [self.a.b].all(v, v.startsWith("/x")) : (true))'],
    ['self.x == "a.?b"', 'self.x == "a.?b"'],
  ])('%s', (input, output) => {
    expect(desugarOptionals(input)).toBe(output);
  });

  it('keeps the meaning of nested optional chains', () => {
    const rule = { rule: 'self.?c.dir.optMap(v, !v.startsWith("/tmp") || self.items.all(i, i.?vol.temp.hasValue())).orValue(true)' };
    expect(evaluate(rule, { c: { dir: '/tmp/x' }, items: [{ vol: { temp: {} } }] })).toEqual({ status: 'pass' });
    expect(evaluate(rule, { c: { dir: '/tmp/x' }, items: [{ vol: {} }] }).status).toBe('fail');
    expect(evaluate(rule, { items: [] })).toEqual({ status: 'pass' });
  });

  it('counts a missing field the rule reads as a failure, as the API server does', () => {
    expect(evaluate({ rule: 'self.a.b == 1', message: 'b must be 1' }, { a: {} })).toEqual({ status: 'fail', message: expect.stringContaining('b must be 1') });
  });
});

describe('quantities in custom resources', () => {
  it('reports a bad quantity in a CRD with the quantity rule', () => {
    const pg = {
      apiVersion: 'postgres-operator.crunchydata.com/v1beta1',
      kind: 'PostgresCluster',
      metadata: { name: 'pg', namespace: 'demo' },
      spec: {
        postgresVersion: 17,
        instances: [{ name: 'i1', resources: { requests: { cpu: '2 cores' } }, dataVolumeClaimSpec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
        backups: { pgbackrest: { repos: [{ name: 'repo1' }] } },
      },
    };
    const report = validateDocuments([{ file: 'pg.yaml', object: pg }]);
    expect(report.findings.map((f) => [f.rule, f.path])).toEqual([['schema/quantity', 'spec.instances[0].resources.requests.cpu']]);
  });
});

describe('objects of one structure share one pruned schema', () => {
  const named = (name: string, obj: any) => ({ ...obj, metadata: { ...obj.metadata, name } });
  it('each object still gets its own findings, and a new field is still caught', () => {
    const report = validateDocuments(
      [
        { file: 'a.yaml', object: named('a', widget({ replicas: 2, note: 'ok', ports: [{ name: 'a' }] })) },
        { file: 'b.yaml', object: named('b', widget({ replicas: 0, note: 'too long', ports: [{ name: 'b' }] })) },
        { file: 'c.yaml', object: named('c', widget({ replicas: 4, note: 'ok', ports: [{ name: 'c', typo: 1 }] })) },
      ],
      { crdDir },
    );
    expect(report.findings.filter((f) => f.file === 'a.yaml')).toEqual([]);
    expect(report.findings.filter((f) => f.file === 'b.yaml').map((f) => f.rule).sort()).toEqual(['schema/range', 'schema/range']);
    expect(messages(report, 'schema/unknown-field')).toEqual([expect.stringMatching(/^spec\.ports\[0\]\.typo: unknown field 'typo'/)]);
  });

  it('the structure is what pruning reads: same structure, same pruned schema; another key, another one', () => {
    const schema = {
      type: 'object',
      properties: { a: { type: 'object', properties: { x: { type: 'string' }, y: { type: 'string' } } }, l: { type: 'array', items: { type: 'object', properties: { p: { type: 'integer' }, q: { type: 'integer' } } } } },
    };
    const one = { a: { x: '1' }, l: [{ p: 1 }, { q: 2 }] };
    const two = { l: [{ q: 5 }, { p: 7 }, { p: 8 }], a: { x: 'other' } };
    const three = { a: { x: '1', y: '2' }, l: [{ p: 1 }, { q: 2 }] };
    expect(structureOf(one)).toBe(structureOf(two));
    expect(pruneSchema(schema, [one])).toEqual(pruneSchema(schema, [two]));
    expect(structureOf(three)).not.toBe(structureOf(one));
    expect(pruneSchema(schema, [three])).not.toEqual(pruneSchema(schema, [one]));
  });
});
