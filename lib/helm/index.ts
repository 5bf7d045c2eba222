/**
 * The Helm chart of the stack (`dist/helm/mcp-stack/`): templates read off the constructs by differential
 * templating (see analyze.ts), values and schema from the profile schema, one values file per profile.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as v8 from 'node:v8';
import { profileNames } from '../../profiles/loader';
import { projectRoot } from '../constructs/core/assets';
import { imageRef } from '../constructs/core/images';
import { stackName } from '../constructs/core/naming';
import { analyzeStack, type StackTemplates } from './analyze';
import { coverage, type Coverage } from './coverage';
import { profileSummary, schemaDocs } from './docs';
import { withRemovedKeys } from './removed-keys';
import { emitObjects } from './emit';
import { withHelmLabels } from './helm-labels';
import { helpersTpl, RULE_ONLY_VALUES } from './helpers';
import { FROM_HELM, fitsKnob, type Knob } from './knobs';
import { probeSet } from './probes';
import { notesTxt } from './notes';
import { chartReadme } from './readme';
import { valuesTable } from './values-table';
import { renderRaw } from './render';
import { chartSchema, chartValues, documentedValues, profileValues } from './values-files';
import { cachedChartFiles } from './cache';

export const CHART_NAME = 'mcp-stack';
/** The profile whose values are the chart's defaults (`values.yaml`). */
export const DEFAULT_PROFILE = 'kind';
export const KUBE_VERSION = '>=1.28.0-0';

export interface HelmChart {
  /** Relative path under `dist/helm/mcp-stack/` → content. */
  readonly files: Map<string, string>;
  readonly model: StackTemplates;
  readonly coverage: Coverage;
}

/** The chart's files, from the project cache when nothing that decides them changed (see ./cache). */
export function helmChartFiles(): Map<string, string> {
  return cachedChartFiles(() => helmChart().files);
}

export function helmChart(): HelmChart {
  // V8's own heap growth (0 means its default), whatever the command set at start (main.ts bounds it): generating
  // keeps a large live heap and makes short-lived objects by the gigabyte. Measured, two runs each: 107-108 s and
  // 1.3-1.4 GB with the default, 113-115 s and 1.0 GB with growth bounded at 10 %.
  v8.setFlagsFromString('--heap-growing-percent=0');
  const model = analyzeStack();
  const cov = coverage(model);
  const docs = schemaDocs();
  const schema = chartSchema(model.schema, docs, chartValues(model.profiles.get(DEFAULT_PROFILE)));
  const defaults = model.profiles.get(DEFAULT_PROFILE)!;
  const version = JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')).version as string;
  const appVersion = defaults.images.gateway.tag as string;
  const files = new Map<string, string>();
  const lineSafe = lineSafeKnobs(model.knobs);

  files.set(
    'Chart.yaml',
    [
      'apiVersion: v2',
      `name: ${CHART_NAME}`,
      'description: The ContextForge MCP gateway stack (gateway, migration and registration Jobs, NGINX, Postgres or PGO, Redis, fast-time-server, Locust benchmark), generated from the mcp-stack-cdk8s constructs.',
      'type: application',
      `version: ${version}`,
      `appVersion: ${JSON.stringify(appVersion)}`,
      `kubeVersion: ${JSON.stringify(KUBE_VERSION)}`,
      'keywords:',
      '  - mcp',
      '  - contextforge',
      '  - gateway',
      ...chartMetadata(defaults),
      '',
    ].join('\n'),
  );
  files.set('.helmignore', HELMIGNORE);

  const chartProfiles = new Map([...model.profiles].map(([p, v]) => [p, chartValues(v)] as const));
  const unused = new Set(cov.unused.filter((id) => !FROM_HELM.includes(id) && !RULE_ONLY_VALUES.includes(id)));
  const summary = (p: string) => profileSummary(p) || `The ${p} profile.`;
  files.set(
    'values.yaml',
    MODELINE +
      documentedValues(
      chartProfiles.get(DEFAULT_PROFILE),
      [
        `Values of the ${CHART_NAME} chart: the ${DEFAULT_PROFILE} profile. ${summary(DEFAULT_PROFILE)}`,
        `Other profiles, complete: ${profileNames.map((p) => `values-${p}.yaml`).join(', ')} (helm install REL . -n NS -f values-ocp.yaml).`,
        'The release name and namespace are Helm\'s (helm install REL -n NS): they prefix every object name and hold every object.',
        'values.schema.json rejects unknown keys, wrong types and out-of-range numbers.',
      ],
      { schema, docs, profiles: chartProfiles, unused },
    ),
  );
  for (const p of profileNames) {
    files.set(
      `values-${p}.yaml`,
      MODELINE +
      profileValues(chartProfiles.get(p), [
        `The ${p} profile, complete: ${summary(p)}`,
        `Every key is documented in values.yaml. Use: helm install REL . -n NS -f values-${p}.yaml`,
      ]),
    );
  }
  files.set(
    'README.md',
    `${chartReadme({ name: CHART_NAME, profiles: profileNames, defaultProfile: DEFAULT_PROFILE })}\n## Values\n\nEvery key, with its description and its value in values.yaml (the ${DEFAULT_PROFILE} profile), from the same schema as values.schema.json.\n\n${valuesTable(schema)}`,
  );
  files.set('values.schema.json', `${JSON.stringify(withRemovedKeys(schema), null, 2)}\n`);
  files.set('templates/_helpers.tpl', helpersTpl());

  files.set('templates/NOTES.txt', notesTxt(defaults, { nginx: servicePort(defaults, 'nginx'), gateway: servicePort(defaults, 'gateway') }));
  for (const unit of model.units) {
    const header = `{{- /* Generated from the ${CHART_NAME} constructs (unit ${unit.name}). Do not edit: regenerate the chart. */ -}}\n{{- include "mcp-stack.validate" . }}\n`;
    files.set(`templates/${unit.file}`, header + withHelmLabels(migrationPerRevision(emitObjects(unit.objects, model.toggles, lineSafe))));
  }
  return { files, model, coverage: cov };
}

/**
 * The migration Job is a release object (no hook, see HOOKS.migration): on an upgrade its name gets the revision
 * (`mcp-stack.revisionSuffix`), so Helm creates a fresh Job, which runs the migration again with whatever changed in
 * its immutable template, and removes the previous one. Install and `helm template` keep the plain name.
 */
export function migrationPerRevision(template: string): string {
  return template.replace(/^(\s*name: \{\{ printf "%s-migrate-%s)(" .*) \| toJson \}\}$/gm, '$1%s$2 (include "mcp-stack.revisionSuffix" .) | toJson }}');
}

/** Editors with the YAML language server check and complete the values files against the chart's schema. */
const MODELINE = '# yaml-language-server: $schema=values.schema.json\n';

/** What `helm package` leaves out of the chart archive. */
const HELMIGNORE = ['# Not part of the packaged chart.', '.DS_Store', '.git/', '.gitignore', '*.swp', '*.bak', '*.tmp', '*.orig', '*~', '.idea/', '.vscode/', ''].join('\n');

/** Upstream of the application the chart installs. */
const UPSTREAM = 'https://github.com/IBM/mcp-context-forge';

/** The chart's icon: a small gateway mark, inline so the chart needs no hosted file. */
const ICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="12" fill="#1f4e79"/>' +
  '<path d="M14 44V20l18 14 18-14v24" fill="none" stroke="#fff" stroke-width="6" stroke-linejoin="round"/></svg>';

/** Chart.yaml fields Helm and Artifact Hub read: home, sources, icon, maintainers, license, category, images. */
function chartMetadata(defaults: any): string[] {
  // Every image of the values (an object with a repository), so a component's new image is listed without an edit here.
  const images = Object.entries(defaults.images as Record<string, unknown>)
    .filter(([, image]) => image !== null && typeof image === 'object' && 'repository' in image)
    .map(([key, image]) => `    - name: ${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}\n      image: ${imageRef(image as any)}`);
  return [
    `home: ${UPSTREAM}`,
    'sources:',
    `  - ${UPSTREAM}`,
    `icon: data:image/svg+xml;base64,${Buffer.from(ICON_SVG).toString('base64')}`,
    'maintainers:',
    '  - name: mcp-stack-cdk8s maintainers',
    'annotations:',
    '  artifacthub.io/license: Apache-2.0',
    '  artifacthub.io/category: integration-delivery',
    '  artifacthub.io/images: |',
    ...images,
  ];
}

/**
 * Knobs whose values can never hold a line break or control character: enums, numbers, and strings whose every
 * pattern refuses one (tested on a value that fits the pattern, with a line break inserted).
 */
function lineSafeKnobs(knobs: readonly Knob[]): (id: string) => boolean {
  const probes = probeSet(knobs, 0);
  const safe = new Set(
    knobs
      .filter((k) => {
        if (k.kind === 'enum' || k.kind === 'int' || k.kind === 'bool') return true;
        if (k.kind !== 'string' || !k.patterns.length) return false;
        const t = String(probes.get(k.id));
        return ['\n', '\r', '\u0001'].every((c) => !fitsKnob(k, `${t}${c}${t}`) && !fitsKnob(k, `${t}${c}`));
      })
      .map((k) => k.id),
  );
  return (id) => safe.has(id);
}

/** The port of a component's Service in the real output (what a port-forward targets). */
function servicePort(values: any, component: string): number {
  const name = stackName(values.release.name, component);
  const service = renderRaw(values)?.find((r) => r.obj.kind === 'Service' && r.obj.metadata.name === name);
  if (!service) throw new Error(`no Service ${name} in the ${values.profile} output`);
  return service.obj.spec.ports[0].port;
}
