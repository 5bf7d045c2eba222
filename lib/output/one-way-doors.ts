/**
 * One-way doors: changes between the release a cluster runs and the next one that the API server (or the
 * operator behind it) refuses to apply in place. A StatefulSet's volume claim templates, its selector and service
 * name, a Deployment's selector, and a volume's size (it can only grow) and storage class are fixed once created.
 * The synth compares the new output with the previous one (the output folder it replaces, or `--previous <dir>`)
 * and refuses such a change up front, naming the door and the manual step, instead of leaving it to fail on apply.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import type { Problem } from '../../profiles/errors';
import { parseQuantity } from '../../profiles/quantity';

type Obj = Record<string, any>;

/** The kinds with a one-way door; no other object of a release is ever compared. */
const DOOR_KINDS = ['StatefulSet', 'Deployment', 'DaemonSet', 'ReplicaSet', 'PersistentVolumeClaim', 'PostgresCluster'] as const;
/**
 * A document that could be one of them: its text names one of the kinds somewhere. A superset on purpose (a kind
 * written in any YAML style still matches), so only the objects that are then parsed decide; the thousands of tenant
 * documents a release can hold name none of these kinds and are never parsed.
 */
const MAY_HAVE_DOOR = new RegExp(DOOR_KINDS.join('|'));
/** A line that starts a YAML document: `---` at the start of a line is a document marker and nothing else (YAML 1.2, 9.1). */
const DOCUMENT_START = /^---(?=[ \t]|$)/m;

/** The objects with a one-way door in the YAML files of an output folder (sub-folders included). */
export function readRelease(dir: string): Obj[] {
  const out: Obj[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.yaml') || name.endsWith('.yml')) out.push(...doorObjectsOf(readFileSync(path, 'utf8')));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** The objects of a YAML stream that have a one-way door; documents that cannot be one are not parsed. */
export function doorObjectsOf(text: string): Obj[] {
  if (!MAY_HAVE_DOOR.test(text)) return [];
  const kinds: readonly string[] = DOOR_KINDS;
  return text
    .split(DOCUMENT_START)
    .filter((doc) => MAY_HAVE_DOOR.test(doc))
    .flatMap((doc) => objectsOf(doc))
    .filter((o) => kinds.includes(o.kind));
}

/** The objects of a YAML stream (documents that are not objects with a kind are skipped). */
export function objectsOf(text: string): Obj[] {
  return (loadAll(text) as unknown[]).filter((d): d is Obj => !!d && typeof d === 'object' && typeof (d as Obj).kind === 'string');
}

const keyOf = (o: Obj) => `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
const nsFlag = (o: Obj) => (o.metadata?.namespace ? ` -n ${o.metadata.namespace}` : '');
const sizeOf = (spec: Obj | undefined): string | undefined => spec?.resources?.requests?.storage;
const storageClass = (spec: Obj | undefined): string => spec?.storageClassName ?? '(cluster default)';
const canonical = (v: unknown) => JSON.stringify(v ?? null, (_k, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x));

/** The value a user turns to change a StatefulSet's volumes, by component (for the message). */
const VOLUME_VALUES: Record<string, string> = { redis: 'redis.persistence.storage', postgres: 'database.standalone.storage' };

/** The one-way doors between a previous release and the next, as problems (empty when every change applies). */
export function oneWayDoors(previous: readonly Obj[], next: readonly Obj[]): Problem[] {
  const before = new Map(previous.map((o) => [keyOf(o), o]));
  const problems: Problem[] = [];
  for (const o of next) {
    const old = before.get(keyOf(o));
    if (!old) continue;
    if (o.kind === 'StatefulSet') problems.push(...statefulSetDoors(old, o));
    if (['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'].includes(o.kind) && canonical(old.spec?.selector) !== canonical(o.spec?.selector)) {
      problems.push({
        path: `${o.kind}/${o.metadata.name} spec.selector`,
        message: `one-way door: a ${o.kind}'s selector cannot change. Manual step: kubectl${nsFlag(o)} delete ${o.kind.toLowerCase()} ${o.metadata.name}, then apply`,
      });
    }
    if (o.kind === 'PersistentVolumeClaim') problems.push(...volumeDoors(`PersistentVolumeClaim/${o.metadata.name} spec`, old.spec, o.spec, 'the claim can only grow, and keeps its class: back up its data, delete the claim, apply, restore'));
    if (o.kind === 'PostgresCluster') problems.push(...postgresClusterDoors(old, o));
  }
  return problems;
}

function statefulSetDoors(old: Obj, o: Obj): Problem[] {
  const name = o.metadata.name;
  const component = o.metadata?.labels?.['app.kubernetes.io/component'] ?? '';
  const valuePath = VOLUME_VALUES[component];
  const orphan = `kubectl${nsFlag(o)} delete statefulset ${name} --cascade=orphan`;
  const path = (field: string) => `StatefulSet/${name} ${field}`;
  const problems: Problem[] = [];
  for (const field of ['serviceName', 'podManagementPolicy'] as const) {
    if ((old.spec?.[field] ?? null) !== (o.spec?.[field] ?? null)) {
      problems.push({ path: path(`spec.${field}`), message: `one-way door: a StatefulSet's ${field} cannot change. Manual step: ${orphan} (pods and volumes stay), then apply`, received: o.spec?.[field] });
    }
  }
  const oldClaims = new Map<string, Obj>((old.spec?.volumeClaimTemplates ?? []).map((c: Obj) => [c.metadata?.name, c]));
  const newClaims = new Map<string, Obj>((o.spec?.volumeClaimTemplates ?? []).map((c: Obj) => [c.metadata?.name, c]));
  const persistence = component === 'redis' ? 'Redis persistence' : 'a persistent volume';
  if (oldClaims.size === 0 && newClaims.size > 0) {
    problems.push({
      path: path('spec.volumeClaimTemplates'),
      message: `one-way door: turning ${persistence} on adds volume claim templates, which a StatefulSet cannot change${component === 'redis' ? ' (redis.persistence.enabled)' : ''}. Manual step: ${orphan}, then apply (the new pods get volumes)`,
    });
    return problems;
  }
  if (oldClaims.size > 0 && newClaims.size === 0) {
    problems.push({
      path: path('spec.volumeClaimTemplates'),
      message: `one-way door: turning ${persistence} off removes volume claim templates, which a StatefulSet cannot change${component === 'redis' ? ' (redis.persistence.enabled)' : ''}. Manual step: ${orphan}, apply, then delete the claims it leaves (${[...oldClaims.keys()].map((c) => `${c}-${name}-0`).join(', ')}; their data goes)`,
    });
    return problems;
  }
  for (const [claim, next] of newClaims) {
    const prev = oldClaims.get(claim);
    const at = `spec.volumeClaimTemplates[${claim}]`;
    if (!prev) {
      problems.push({ path: path(at), message: `one-way door: a new volume claim template. Manual step: ${orphan}, then apply` });
      continue;
    }
    const doors = volumeDoors(path(`${at}.spec`), prev.spec, next.spec, `back up the data, ${orphan}, delete the claims ${claim}-${name}-<n> (their data goes), apply, then restore`, valuePath);
    if (doors.length) {
      problems.push(...doors);
      continue;
    }
    const prevSize = parseQuantity(sizeOf(prev.spec));
    const nextSize = parseQuantity(sizeOf(next.spec));
    if (prevSize !== undefined && nextSize !== undefined && nextSize > prevSize) {
      problems.push({
        path: path(`${at}.spec.resources.requests.storage`),
        message: `one-way door: a StatefulSet's volume claim templates cannot change, so the volume cannot grow through it (${sizeOf(prev.spec)} to ${sizeOf(next.spec)}${valuePath ? `, ${valuePath}.size` : ''}). Manual step: ${orphan}, apply, then grow each claim ${claim}-${name}-<n> with kubectl patch pvc (its storage class must allow volume expansion)`,
        received: sizeOf(next.spec),
      });
    } else if (canonical(prev) !== canonical(next)) {
      problems.push({ path: path(at), message: `one-way door: a StatefulSet's volume claim templates cannot change (labels, access modes or annotations differ). Manual step: ${orphan} (pods and volumes stay), then apply` });
    }
  }
  return problems;
}

/** A volume that shrinks or changes its storage class: the claim refuses both. */
function volumeDoors(path: string, prev: Obj | undefined, next: Obj | undefined, step: string, valuePath?: string): Problem[] {
  const problems: Problem[] = [];
  const prevSize = parseQuantity(sizeOf(prev));
  const nextSize = parseQuantity(sizeOf(next));
  if (prevSize !== undefined && nextSize !== undefined && nextSize < prevSize) {
    problems.push({
      path: `${path}.resources.requests.storage`,
      message: `one-way door: a volume cannot shrink (${sizeOf(prev)} to ${sizeOf(next)}${valuePath ? `, ${valuePath}.size` : ''}). Keep the size, or as a manual step: ${step}`,
      received: sizeOf(next),
    });
  }
  if (storageClass(prev) !== storageClass(next)) {
    problems.push({
      path: `${path}.storageClassName`,
      message: `one-way door: a volume cannot change its storage class (${storageClass(prev)} to ${storageClass(next)}${valuePath ? `, ${valuePath}.storageClass` : ''}). Keep the class, or as a manual step: ${step}`,
      received: storageClass(next),
    });
  }
  return problems;
}

/** PGO grows volumes in place; it cannot shrink them or move them to another class. */
function postgresClusterDoors(old: Obj, o: Obj): Problem[] {
  const name = o.metadata.name;
  const step = `back up with pgBackRest, delete PostgresCluster ${name} and its volumes, apply, then restore from the backup`;
  const problems: Problem[] = [];
  const oldInstances = new Map<string, Obj>((old.spec?.instances ?? []).map((i: Obj) => [i.name, i]));
  for (const inst of o.spec?.instances ?? []) {
    const prev = oldInstances.get(inst.name);
    if (prev) problems.push(...volumeDoors(`PostgresCluster/${name} spec.instances[${inst.name}].dataVolumeClaimSpec`, prev.dataVolumeClaimSpec, inst.dataVolumeClaimSpec, step, 'database.pgo.instances.storage'));
  }
  const oldRepos = new Map<string, Obj>((old.spec?.backups?.pgbackrest?.repos ?? []).map((r: Obj) => [r.name, r]));
  for (const repo of o.spec?.backups?.pgbackrest?.repos ?? []) {
    const prev = oldRepos.get(repo.name);
    if (prev?.volume && repo.volume) {
      problems.push(...volumeDoors(`PostgresCluster/${name} spec.backups.pgbackrest.repos[${repo.name}].volume.volumeClaimSpec`, prev.volume.volumeClaimSpec, repo.volume.volumeClaimSpec, `back up the repository, remove repo ${repo.name} from the cluster, apply, then add it back`, 'database.pgo.backups.storage'));
    }
  }
  return problems;
}
