/**
 * Image pull Secrets: the ocp profile names the OpenShift seed's Docker Hub pull Secret on every pod, and the
 * `secrets` command and the chart's NOTES tell how to create it.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { podSpecs, synth } from './support';

const MAIN = join(__dirname, '..', 'build', 'main.js');

test('every pod of the ocp profile names dockerhub-pull; kind names none', () => {
  const specs = podSpecs(synth('ocp', ['benchmark.enabled=true']));
  expect(specs.length).toBeGreaterThan(5);
  for (const { owner, spec } of specs) expect([owner, spec.imagePullSecrets]).toEqual([owner, [{ name: 'dockerhub-pull' }]]);
  for (const { spec } of podSpecs(synth('kind'))) expect(spec.imagePullSecrets).toBeUndefined();
});

test('secrets --profile ocp tells how to create the pull Secret, for the mirror when one is set', () => {
  const r = spawnSync(process.execPath, [MAIN, 'secrets', '--profile', 'ocp'], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('dockerhub-pull  (you create it: image pull Secret');
  expect(r.stdout).toContain('kubectl -n mcp-stack create secret docker-registry dockerhub-pull --docker-server=docker.io --docker-username=<user> --docker-password=<token>');
  const mirror = spawnSync(process.execPath, [MAIN, 'secrets', '--profile', 'ocp', '--set', 'global.imageRegistry=mirror.example.com:5000/hub'], { encoding: 'utf8' });
  expect(mirror.stdout).toContain('--docker-server=mirror.example.com:5000 ');
});

test('the chart NOTES name each pull Secret with its create command', () => {
  // The committed chart (npm run check keeps it equal to a fresh generation).
  const notes = readFileSync(join(__dirname, '..', 'dist', 'helm', 'mcp-stack', 'templates', 'NOTES.txt'), 'utf8');
  expect(notes).toContain('{{- range .Values.images.pullSecrets }}');
  expect(notes).toContain('create secret docker-registry {{ . }}');
});
