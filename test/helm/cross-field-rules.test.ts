/**
 * Every cross-field rule, from its one declaration, broken in both outputs: the CLI exits 2 naming the path and
 * message, and `helm template` on Helm 3 and 4 fails with the same words. A rule added to the declaration is
 * tested here without a new test; one whose example does not break it fails.
 */
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { CROSS_FIELD_RULES } from '../../profiles/cross-field-rules';
import { InputError, loadValues } from '../../profiles/loader';
import { perElement, ruleProblems } from '../../profiles/rule-language';
import { helmChartFiles } from '../../lib/helm';
import { helpersTpl } from '../../lib/helm/helpers';
import { HELM_NAMES, helm, requireHelm, ROOT, tempDir, writeChart } from './support';

const words = (rule: (typeof CROSS_FIELD_RULES)[number]) => rule.message.map((p) => (typeof p === 'string' ? p : '<n>')).join('');
const cases = CROSS_FIELD_RULES.map((rule) => [`${rule.path}: ${words(rule)}`, rule] as const);

let chart: string;
let dir: string;
beforeAll(() => {
  requireHelm();
  chart = writeChart(helmChartFiles());
  dir = tempDir('rules');
});
afterAll(() => {
  rmSync(join(chart, '..'), { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

/** The example's values file (for what `--set` cannot write), or none. */
function exampleFiles(rule: (typeof CROSS_FIELD_RULES)[number]): string[] {
  if (!rule.example.values) return [];
  const file = join(dir, `${rule.path}-${words(rule).length}.yaml`);
  writeFileSync(file, dump(rule.example.values));
  return [file];
}

/** Whether a problem's path is this rule's (a per-element rule's with an index in place of its `*`). */
function isRulePath(rule: (typeof CROSS_FIELD_RULES)[number], path: string): boolean {
  const each = perElement(rule.path);
  return each ? path.startsWith(`${each.list}.`) && path.endsWith(each.rest) && /^\d+$/.test(path.slice(each.list.length + 1, path.length - each.rest.length)) : path === rule.path;
}

/** `path: message` of this rule as the synth's loader reports it for the rule's example. */
function synthProblem(rule: (typeof CROSS_FIELD_RULES)[number]): string {
  try {
    loadValues({ profile: rule.example.profile, sets: [...rule.example.sets], valuesFiles: exampleFiles(rule) });
  } catch (e) {
    const problems = (e as InputError).problems.filter((p) => isRulePath(rule, p.path) && p.message.startsWith(String(rule.message[0])));
    expect(problems).toHaveLength(1);
    return `${problems[0].path}: ${problems[0].message}`;
  }
  throw new Error(`the example of ${rule.path} breaks no rule`);
}

test('the chart compiles every rule from the declaration, one condition per rule', () => {
  const tpl = helpersTpl();
  expect(tpl.match(/^\{\{- (if|range \$i, \$e :=) .* \}\}\{\{ \$p = append \$p \(printf /gm)).toHaveLength(CROSS_FIELD_RULES.length);
  for (const rule of CROSS_FIELD_RULES) expect(tpl).toContain(`(printf "${rule.path.replace('.*.', '.%d.')}: `);
});

test('no rule fires on the profiles as shipped', () => {
  for (const profile of ['kind', 'ocp', 'production'] as const) expect(ruleProblems(CROSS_FIELD_RULES, loadValues({ profile }))).toEqual([]);
});

describe.each(HELM_NAMES)('a literal credential in extraEnv on %s', (h) => {
  const file = () => {
    const f = join(dir, 'credentials.yaml');
    const env = [
      { name: 'HTTP_PROXY', value: 'http://proxy.example.com:3128' },
      { name: 'GITHUB_TOKEN', value: 'ghp_literal_value_1' },
      { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
      { name: 'Api_Key', value: 'literal_value_2' },
      { name: 'EMPTY_SECRET', value: '' },
    ];
    writeFileSync(f, dump({ gateway: { extraEnv: env }, registration: { extraEnv: env.slice(0, 3) } }));
    return f;
  };
  const expected = [
    'gateway.extraEnv.1.value: a literal value for GITHUB_TOKEN, whose name says it is a credential',
    'gateway.extraEnv.3.value: a literal value for Api_Key, whose name says it is a credential',
    'registration.extraEnv.1.value: a literal value for GITHUB_TOKEN, whose name says it is a credential',
  ];

  test('the synth names each entry by its index and variable, exit 2, and never shows a value', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'build', 'main.js'), 'synth', '--stdout', '--values', file()], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    const text = r.stdout + r.stderr;
    expect(text).toContain('invalid input: 3 problems');
    for (const e of expected) expect(text).toContain(e);
    expect(text).not.toMatch(/literal_value|proxy\.example|HTTP_PROXY|DB_PASSWORD|EMPTY_SECRET/);
  });

  test('helm template refuses it with the same words and indices, never showing a value', () => {
    const r = helm(h, ['template', 'r', chart, '-f', join(chart, 'values-kind.yaml'), '-f', file()]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('invalid values: 3 problem(s)');
    for (const e of expected) expect(r.stderr).toContain(e);
    expect(r.stderr).not.toMatch(/literal_value|proxy\.example/);
  });

  test('a credential taken from a Secret, or a name that only resembles one, renders', () => {
    const f = join(dir, 'fine.yaml');
    writeFileSync(f, dump({ gateway: { extraEnv: [{ name: 'TOKENIZER_MODEL', value: 'bpe' }, { name: 'GITHUB_TOKEN', valueFrom: { secretKeyRef: { name: 'gh', key: 'token' } } }] } }));
    const rendered = helm(h, ['template', 'r', chart, '-f', join(chart, 'values-kind.yaml'), '-f', f]);
    expect(rendered.stderr).toBe('');
    expect(rendered.code).toBe(0);
    // The synth's values pass (its output gate would then ask for the Secret gh, which this test does not make).
    expect(loadValues({ profile: 'kind', valuesFiles: [f] }).gateway.extraEnv).toHaveLength(2);
  });
});

describe.each(cases)('%s', (_name, rule) => {
  test('the synth refuses its example: exit 2, the path and the message, no stack trace', () => {
    const problem = synthProblem(rule);
    const r = spawnSync(process.execPath, [join(ROOT, 'build', 'main.js'), 'synth', '--stdout', '--profile', rule.example.profile, ...exampleFiles(rule).flatMap((f) => ['--values', f]), ...rule.example.sets.flatMap((s) => ['--set', s])], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stdout + r.stderr).toContain(problem);
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });

  test.each(HELM_NAMES)('%s refuses it with the same words', (h) => {
    const problem = synthProblem(rule);
    const r = helm(h, ['template', 'r', chart, '-f', join(chart, `values-${rule.example.profile}.yaml`), ...exampleFiles(rule).flatMap((f) => ['-f', f]), ...rule.example.sets.flatMap((x) => ['--set', x])]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(problem);
  });
});
