/**
 * Every cross-field rule, from its one declaration, broken in both outputs: the CLI exits 2 naming the path and
 * message, and `helm template` on Helm 3 and 4 fails with the same words. A rule added to the declaration is
 * tested here without a new test; one whose example does not break it fails.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { CROSS_FIELD_RULES } from '../../profiles/cross-field-rules';
import { InputError, loadValues } from '../../profiles/loader';
import { ruleProblems } from '../../profiles/rule-language';
import { helmChartFiles } from '../../lib/helm';
import { helpersTpl } from '../../lib/helm/helpers';
import { HELM_NAMES, helm, requireHelm, ROOT, writeChart } from './support';

const words = (rule: (typeof CROSS_FIELD_RULES)[number]) => rule.message.map((p) => (typeof p === 'string' ? p : '<n>')).join('');
const cases = CROSS_FIELD_RULES.map((rule) => [`${rule.path}: ${words(rule)}`, rule] as const);

let chart: string;
beforeAll(() => {
  requireHelm();
  chart = writeChart(helmChartFiles());
});
afterAll(() => rmSync(join(chart, '..'), { recursive: true, force: true }));

/** `path: message` of this rule as the synth's loader reports it for the rule's example. */
function synthProblem(rule: (typeof CROSS_FIELD_RULES)[number]): string {
  try {
    loadValues({ profile: rule.example.profile, sets: [...rule.example.sets] });
  } catch (e) {
    const problems = (e as InputError).problems.filter((p) => p.path === rule.path && p.message.startsWith(String(rule.message[0])));
    expect(problems).toHaveLength(1);
    return `${problems[0].path}: ${problems[0].message}`;
  }
  throw new Error(`the example of ${rule.path} breaks no rule`);
}

test('the chart compiles every rule from the declaration, one condition per rule', () => {
  const tpl = helpersTpl();
  expect(tpl.match(/\{\{- if .* \}\}\{\{ \$p = append \$p \(printf /g)).toHaveLength(CROSS_FIELD_RULES.length);
  for (const rule of CROSS_FIELD_RULES) expect(tpl).toContain(`(printf "${rule.path}: `);
});

test('no rule fires on the profiles as shipped', () => {
  for (const profile of ['kind', 'ocp', 'production'] as const) expect(ruleProblems(CROSS_FIELD_RULES, loadValues({ profile }))).toEqual([]);
});

describe.each(cases)('%s', (_name, rule) => {
  test('the synth refuses its example: exit 2, the path and the message, no stack trace', () => {
    const problem = synthProblem(rule);
    const r = spawnSync(process.execPath, [join(ROOT, 'build', 'main.js'), 'synth', '--stdout', '--profile', rule.example.profile, ...rule.example.sets.flatMap((s) => ['--set', s])], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stdout + r.stderr).toContain(problem);
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });

  test.each(HELM_NAMES)('%s refuses it with the same words', (h) => {
    const problem = synthProblem(rule);
    const r = helm(h, ['template', 'r', chart, '-f', join(chart, `values-${rule.example.profile}.yaml`), ...rule.example.sets.flatMap((x) => ['--set', x])]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(problem);
  });
});
