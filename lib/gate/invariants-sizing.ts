/**
 * The scaling guide's sizing rules for the gateway: Gunicorn workers are processes, each using up to one core and
 * its own memory. One CPU core per two workers (`workers = 2 × cores + 1` is the most a pod should run) and
 * `memory = 256 MiB + 200 MiB × workers`. A pod below the memory formula is OOM-killed under load; one below the
 * CPU formula only runs slower, so that is a warning.
 */
import { parseQuantity } from '../../profiles/quantity';
import { mainContainer, settingOf, templatesOfComponent } from './services';
import type { Model } from './model';
import type { Sink } from './types';

const BASE_MIB = 256;
const PER_WORKER_MIB = 200;
const MIB = 1024 * 1024;

/** Memory (MiB) the scaling guide asks for `workers` Gunicorn workers. */
export function gatewayMemoryMiB(workers: number): number {
  return BASE_MIB + PER_WORKER_MIB * workers;
}

/** Most workers `cores` CPU cores carry at one core per two workers. */
export function maxWorkersFor(cores: number): number {
  return Math.floor(cores * 2);
}

export function checkGatewaySizing(model: Model, sink: Sink): void {
  for (const t of templatesOfComponent(model, 'gateway')) {
    if (!t.longRunning) continue;
    const c = mainContainer(t, 'gateway');
    const raw = settingOf(model, t.owner, c, 'GUNICORN_WORKERS');
    const workers = raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : undefined;
    if (!workers) continue;
    const index = (Array.isArray(t.spec.containers) ? t.spec.containers : []).indexOf(c);
    const at = [...t.path, 'spec', 'containers', Math.max(index, 0), 'resources', 'limits'];
    const cpu = parseQuantity(c?.resources?.limits?.cpu);
    const memory = parseQuantity(c?.resources?.limits?.memory);
    const needMiB = gatewayMemoryMiB(workers);
    if (memory !== undefined && memory < needMiB * MIB) {
      sink.error('invariant/gateway-sizing', t.owner.doc, [...at, 'memory'], `the gateway runs ${workers} Gunicorn workers in ${Math.round(memory / MIB)} MiB: the scaling guide's memory = 256 MiB + 200 MiB × workers asks for ${needMiB} MiB`, `raise the gateway memory limit to at least ${needMiB}Mi, or run at most ${Math.max(1, Math.floor((memory / MIB - BASE_MIB) / PER_WORKER_MIB))} workers`);
    }
    if (cpu !== undefined && workers > maxWorkersFor(cpu) + 1) {
      sink.warn('invariant/gateway-sizing', t.owner.doc, [...at, 'cpu'], `the gateway runs ${workers} Gunicorn workers on a ${cpu} CPU limit: the scaling guide allows 1 core per 2 workers (workers = 2 × cores + 1 at most: ${maxWorkersFor(cpu) + 1})`, `raise the gateway CPU limit to at least ${Math.ceil(workers / 2)}, or lower gateway.workers to ${maxWorkersFor(cpu) + 1}`);
    }
  }
}
