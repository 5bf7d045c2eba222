/**
 * The chart's schema as people meet it in an editor: a short override file validates with no error, a misspelt
 * key or a wrong type is still refused, every key has words and the chart's value as its default, the values files
 * point editors at the schema, and the README lists every key from the same descriptions.
 */
import Ajv from 'ajv';
import { load } from 'js-yaml';
import { helmChartFiles } from '../../lib/helm';
import { loadValues } from '../../profiles/loader';

const files = helmChartFiles();
const schema = JSON.parse(files.get('values.schema.json')!);
const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
const errorsOf = (values: unknown) => (validate(values) ? [] : validate.errors!.map((e) => `${e.instancePath} ${e.message}`));

test('a two-line override file validates with zero errors (an editor shows nothing)', () => {
  expect(errorsOf(load('gateway:\n  replicas: 4\n'))).toEqual([]);
  expect(errorsOf(load('global:\n  imageRegistry: registry.example.com\n'))).toEqual([]);
});

test('a misspelt key and a wrong type in the same file are still refused, each by its path', () => {
  const errors = errorsOf(load('gateway:\n  replicaz: 4\nnginx:\n  replicas: "two"\n'));
  expect(errors).toEqual(expect.arrayContaining(['/gateway must NOT have additional properties', '/nginx/replicas must be integer']));
});

test('every key has a description, every leaf the chart\'s own value as its default', () => {
  const missing: string[] = [];
  const noDefault: string[] = [];
  const visit = (node: any, path: string) => {
    for (const [key, child] of Object.entries<any>(node.properties ?? {})) {
      const p = path ? `${path}.${key}` : key;
      if (!child.description) missing.push(p);
      // Keys removed since an earlier release are declared only to say why; they have no value of their own.
      if (child.deprecated) continue;
      if (child.type === 'object' && child.properties) visit(child, p);
      else if (child.default === undefined && !/\.digest$/.test(p)) noDefault.push(p);
    }
  };
  visit(schema, '');
  expect(missing).toEqual([]);
  expect(noDefault).toEqual([]);
  expect(schema.properties.gateway.properties.replicas.default).toBe(loadValues({ profile: 'kind' }).gateway.replicas);
  expect(schema.properties.images.properties.pullPolicy.default).toBe('IfNotPresent');
});

test('values files open with the yaml-language-server modeline that points at the schema', () => {
  for (const name of ['values.yaml', 'values-kind.yaml', 'values-ocp.yaml', 'values-production.yaml']) {
    expect(files.get(name)!.split('\n')[0]).toBe('# yaml-language-server: $schema=values.schema.json');
  }
});

test('the README lists every leaf key with the schema\'s description and default', () => {
  const readme = files.get('README.md')!;
  expect(readme).toContain('| `gateway.replicas` |');
  expect(readme).toContain(`| \`gateway.workers\` | ${schema.properties.gateway.properties.workers.description} | \`2\` |`);
  expect(readme).toContain('| `global.imageRegistry` |');
});

test('Chart.yaml carries what Helm and Artifact Hub read, and .helmignore exists', () => {
  const chart = load(files.get('Chart.yaml')!) as any;
  expect(chart).toMatchObject({ home: expect.stringMatching(/^https:\/\//), sources: [expect.stringMatching(/^https:\/\//)], maintainers: [{ name: expect.any(String) }] });
  expect(chart.icon).toMatch(/^data:image\/svg\+xml;base64,/);
  expect(chart.annotations['artifacthub.io/license']).toBe('Apache-2.0');
  const images = load(chart.annotations['artifacthub.io/images']) as any[];
  expect(images.map((i) => i.name)).toEqual(['gateway', 'nginx', 'redis', 'postgres', 'fast-time-server', 'locust']);
  expect(images.every((i) => !/:latest$/.test(i.image))).toBe(true);
  expect(files.get('.helmignore')).toContain('.git/');
});
