/**
 * The Locust MCP benchmark: a master (web UI and run control on 8089, ZeroMQ on 5557/5558) behind one Service,
 * workers that send MCP Streamable HTTP load to NGINX (or the gateway without it), and a suspended CronJob that is
 * the template of a benchmark run. Nothing runs until a run is started; each run prints its own summary.
 *
 * The bearer token is minted per worker pod by an init container running the gateway image with the gateway's
 * settings and Secret, and handed to Locust through a memory-backed file: the signing key never reaches a Locust
 * container, and no token or secret is ever in a container's arguments.
 */
import { Construct, type IConstruct } from 'constructs';
import { defaults } from '../../profiles/defaults';
import { applyPodOverrides } from './core/pod-overrides';
import type { Image, Values } from '../../profiles/schema';
import { asset } from './core/assets';
import { sha256 } from './core/checksum';
import { k8s, StackContext } from './core/context';
import { podDisruptionBudget } from './core/disruption';
import { serviceHost } from './core/naming';
import { propProblem, refuseProps, wholeNumberProblem } from './core/props-check';

export const LOCUST_WEB_PORT = 8089;
/** ZeroMQ: workers connect to 5557; 5558 is kept for workers of older Locust releases, which used port + 1. */
export const LOCUST_ZMQ_COMM_PORT = 5557;
export const LOCUST_ZMQ_DATA_PORT = 5558;

/** Lifetime of the minted token. Workers mint at start; after a day they need a restart (the run says so). */
export const BENCHMARK_TOKEN_MINUTES = 1440;

/** The OCP seed's three benchmarked loads; `custom` takes users and spawn rate from the values. */
export const BENCHMARK_PRESETS = {
  baseline: { users: 125, spawnRate: 30 },
  heavy: { users: 500, spawnRate: 50 },
  max: { users: 750, spawnRate: 75 },
} as const;

/** The benchmark's own settings (load, run time, workers, resources, pod escape hatches), as under `benchmark` in the values. */
export type BenchmarkSettings = Omit<Values['benchmark'], 'enabled'>;

/** Users and spawn rate of a run: the preset's, or the values' own for `custom`. */
export function benchmarkLoad(v: Pick<BenchmarkSettings, 'preset' | 'users' | 'spawnRate'>): { users: number; spawnRate: number } {
  if (v.preset === 'custom') return { users: v.users, spawnRate: v.spawnRate };
  const p = BENCHMARK_PRESETS[v.preset];
  return { users: p.users, spawnRate: p.spawnRate };
}

/** Run length in seconds, from the schema's `<n>s|m|h`. */
export function runSeconds(runTime: string): number {
  const m = /^(\d+)([smh])$/.exec(runTime);
  if (!m) throw new Error(`'benchmark.runTime' must look like 60s, 5m or 1h (received ${JSON.stringify(runTime)})`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2] as 's' | 'm' | 'h'];
}

/** The files of the benchmark ConfigMap, shipped in `assets/locust/`. */
export function locustScripts(): Record<string, string> {
  return {
    'locustfile.py': asset('locust/locustfile.py'),
    'mint-token.sh': asset('locust/mint-token.sh'),
    'run.py': asset('locust/run.py'),
    'start.sh': asset('locust/start.sh'),
  };
}

/** Digest of the scripts: constant for a release of this project, so it can be a literal in a chart. */
export function locustScriptsDigest(): string {
  const s = locustScripts();
  return sha256(Object.keys(s).sort().map((k) => `${k}\n${s[k]}`).join('\n'));
}

/** Where the load goes: a Service, and the pods behind it for the NetworkPolicy flow. */
export interface BenchmarkTarget {
  readonly serviceName: string;
  /** Service port. */
  readonly port: number;
  /** Component of the pods behind the Service. */
  readonly component: string;
  /** Their container port (NetworkPolicies match the pod's port, not the Service's). */
  readonly containerPort: number;
}

/** What the benchmark needs from the gateway to mint its token (the `Gateway` construct has all but the user). */
export interface BenchmarkGateway {
  /** The gateway's Secret (JWT_SECRET_KEY and the other settings the token tool validates). */
  readonly secretName: string;
  /** The gateway's settings ConfigMap (PLATFORM_ADMIN_EMAIL, JWT audience and issuer). */
  readonly configMapName: string;
  /** The gateway image reference, run by the token init container. */
  readonly image: string;
  /** The numeric user of that image (pinned on Kubernetes, left to the SCC on OpenShift). @default the default gateway image's user */
  readonly user?: number;
}

/**
 * Every setting is optional and defaults to the built-in defaults (`benchmark` in `profiles/defaults.ts`): the
 * baseline preset (125 users at 30/s) for 60 s, one master and three workers requesting 500m each, the run starting
 * once one worker is connected.
 */
export interface LocustBenchmarkProps extends Partial<BenchmarkSettings> {
  /** Release, namespace, platform and registry. @default StackContext.of(scope) */
  readonly context?: StackContext;
  /** @default the default Locust image (docker.io/locustio/locust) */
  readonly image?: Image;
  /** Where the load goes: NGINX, or the gateway without it. */
  readonly target: BenchmarkTarget;
  /** The gateway whose settings and Secret mint the benchmark's token. */
  readonly gateway: BenchmarkGateway;
}

const SCRIPTS_DIR = '/mnt/locust';
const TOKEN_FILE = '/tokens/token';
/** The run pod only polls the master's HTTP API. */
const RUN_RESOURCES = { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } };
/** How long run.py waits for the master and its workers, and after the run time for the stop. */
const RUN_WAIT_SECONDS = 300;

export class LocustBenchmark extends Construct {
  readonly serviceName: string;
  readonly configMapName: string;
  readonly masterName: string;
  readonly workerName: string;
  readonly runCronJobName: string;
  /** URL of the system under load, as Locust sees it (`LOCUST_HOST`). */
  readonly host: string;
  /** The master's web API inside the cluster. */
  readonly masterUrl: string;

  constructor(scope: Construct, id: string, props: LocustBenchmarkProps) {
    super(scope, id);
    const { context, image, target, gateway, ...settings } = props;
    const ctx = context ?? StackContext.of(this);
    const b: BenchmarkSettings = { ...defaults.benchmark, ...settings };
    refuseBadSettings(this, b);
    const img = image ?? defaults.images.locust;
    const load = benchmarkLoad(b);
    this.serviceName = ctx.name('locust');
    this.configMapName = ctx.name('locust');
    this.masterName = ctx.name('locust-master');
    this.workerName = ctx.name('locust-worker');
    this.runCronJobName = ctx.name('locust-run');
    const masterHost = serviceHost(this.serviceName, ctx.namespace);
    this.host = `http://${serviceHost(target.serviceName, ctx.namespace)}:${target.port}`;
    this.masterUrl = `http://${masterHost}:${LOCUST_WEB_PORT}`;
    const meta = (component: string, name: string) => ctx.meta(component, name, { version: img.tag });
    const podAnnotations = { 'checksum/config': locustScriptsDigest() };

    new k8s.KubeConfigMap(this, 'Scripts', { metadata: meta('locust-master', this.configMapName), data: locustScripts() });

    new k8s.KubeService(this, 'Service', {
      metadata: meta('locust-master', this.serviceName),
      spec: {
        selector: ctx.selector('locust-master'),
        ports: [
          { name: 'web', port: LOCUST_WEB_PORT, targetPort: k8s.IntOrString.fromString('web') },
          { name: 'zmq-comm', port: LOCUST_ZMQ_COMM_PORT, targetPort: k8s.IntOrString.fromString('zmq-comm') },
          { name: 'zmq-data', port: LOCUST_ZMQ_DATA_PORT, targetPort: k8s.IntOrString.fromString('zmq-data') },
        ],
      },
    });

    // Read by run.py, so `kubectl exec` into the master starts a run with the same settings as the run Job.
    const runEnv: k8s.EnvVar[] = [
      { name: 'BENCH_USERS', value: String(load.users) },
      { name: 'BENCH_SPAWN_RATE', value: String(load.spawnRate) },
      { name: 'BENCH_RUN_TIME', value: b.runTime },
      { name: 'BENCH_EXPECT_WORKERS', value: String(b.expectWorkers) },
      { name: 'BENCH_WORKERS', value: String(b.workers) },
      { name: 'BENCH_WAIT_SECONDS', value: String(RUN_WAIT_SECONDS) },
    ];
    const locustEnv: k8s.EnvVar[] = [
      { name: 'LOCUST_HOST', value: this.host },
      { name: 'MCP_SERVER_ID', value: b.mcpServerId },
      { name: 'HOME', value: '/tmp' },
      { name: 'PYTHONDONTWRITEBYTECODE', value: '1' },
    ];
    const scriptsVolume: k8s.Volume = { name: 'scripts', configMap: { name: this.configMapName } };
    const scriptsMount: k8s.VolumeMount = { name: 'scripts', mountPath: SCRIPTS_DIR, readOnly: true };
    const tmp = { volume: { name: 'tmp', emptyDir: {} } as k8s.Volume, mount: { name: 'tmp', mountPath: '/tmp' } as k8s.VolumeMount };
    const pod = {
      serviceAccountName: ctx.name('workload'),
      automountServiceAccountToken: false,
      imagePullSecrets: ctx.imagePullSecrets(),
    };
    const locustContainer = {
      image: ctx.image(img),
      imagePullPolicy: ctx.pullPolicy,
      securityContext: ctx.containerSecurity(),
    };

    // The master only coordinates: it never calls the gateway, so it gets no token.
    const web = { httpGet: { path: '/', port: k8s.IntOrString.fromString('web') } };
    const master = new k8s.KubeDeployment(this, 'Master', {
      metadata: meta('locust-master', this.masterName),
      spec: {
        replicas: 1,
        // Never two masters: workers would split between them.
        strategy: { type: 'Recreate' },
        selector: { matchLabels: ctx.selector('locust-master') },
        template: {
          metadata: { labels: ctx.labels('locust-master', img.tag), annotations: podAnnotations },
          spec: {
            ...pod,
            ...ctx.spread('locust-master'),
            securityContext: ctx.podSecurity(img),
            containers: [
              {
                ...locustContainer,
                name: 'locust',
                command: ['locust'],
                args: [
                  '--master',
                  `--locustfile=${SCRIPTS_DIR}/locustfile.py`,
                  '--web-host=0.0.0.0',
                  `--web-port=${LOCUST_WEB_PORT}`,
                  `--master-bind-port=${LOCUST_ZMQ_COMM_PORT}`,
                ],
                env: [...locustEnv, ...runEnv],
                ports: [
                  { name: 'web', containerPort: LOCUST_WEB_PORT },
                  { name: 'zmq-comm', containerPort: LOCUST_ZMQ_COMM_PORT },
                  { name: 'zmq-data', containerPort: LOCUST_ZMQ_DATA_PORT },
                ],
                resources: ctx.resources(b.masterResources),
                readinessProbe: { ...web, initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
                livenessProbe: { ...web, initialDelaySeconds: 15, periodSeconds: 30, timeoutSeconds: 10, failureThreshold: 5 },
                volumeMounts: [scriptsMount, tmp.mount],
              },
            ],
            volumes: [scriptsVolume, tmp.volume],
          },
        },
      },
    });
    applyPodOverrides(master, b.master);

    // Each image runs as its own user; the token file is shared through the pod's fsGroup (OpenShift gives both
    // containers the same user anyway).
    const gatewayUser = gateway.user ?? defaults.images.gateway.user;
    const mintSecurity: k8s.SecurityContext = {
      ...ctx.containerSecurity(),
      ...(ctx.openshift ? {} : { runAsUser: gatewayUser, runAsGroup: gatewayUser }),
    };
    // In memory: the token never touches the node's disk.
    const tokens = {
      volume: { name: 'tokens', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('1Mi') } } as k8s.Volume,
      mount: { name: 'tokens', mountPath: '/tokens' } as k8s.VolumeMount,
    };
    const workers = new k8s.KubeDeployment(this, 'Workers', {
      metadata: meta('locust-worker', this.workerName),
      spec: {
        replicas: b.workers,
        selector: { matchLabels: ctx.selector('locust-worker') },
        template: {
          metadata: { labels: ctx.labels('locust-worker', img.tag), annotations: podAnnotations },
          spec: {
            ...pod,
            ...ctx.spread('locust-worker'),
            securityContext: ctx.podSecurity(img, { fsGroup: true }),
            initContainers: [
              {
                name: 'mint-token',
                image: gateway.image,
                imagePullPolicy: ctx.pullPolicy,
                command: ['/bin/sh', `${SCRIPTS_DIR}/mint-token.sh`],
                envFrom: [{ configMapRef: { name: gateway.configMapName } }, { secretRef: { name: gateway.secretName } }],
                env: [
                  { name: 'TOKEN_FILE', value: TOKEN_FILE },
                  { name: 'TOKEN_MINUTES', value: String(BENCHMARK_TOKEN_MINUTES) },
                  { name: 'HOME', value: '/tmp' },
                ],
                // Init containers do not add to the pod's request (the larger of init and regular containers counts).
                resources: ctx.resources(b.workerResources),
                securityContext: mintSecurity,
                volumeMounts: [scriptsMount, tmp.mount, tokens.mount],
              },
            ],
            containers: [
              {
                ...locustContainer,
                name: 'locust',
                command: ['/bin/sh', `${SCRIPTS_DIR}/start.sh`],
                args: [
                  '--worker',
                  `--locustfile=${SCRIPTS_DIR}/locustfile.py`,
                  `--master-host=${masterHost}`,
                  `--master-port=${LOCUST_ZMQ_COMM_PORT}`,
                ],
                env: [...locustEnv, { name: 'TOKEN_FILE', value: TOKEN_FILE }],
                resources: ctx.resources(b.workerResources),
                volumeMounts: [scriptsMount, tmp.mount, { ...tokens.mount, readOnly: true }],
              },
            ],
            volumes: [scriptsVolume, tmp.volume, tokens.volume],
          },
        },
      },
    });
    applyPodOverrides(workers, b.worker);

    // Drains evict one worker at a time; a run loses a share of its load rather than all of it.
    if (b.workers > 1) podDisruptionBudget(this, ctx, 'locust-worker', this.workerName, b.workers - 1, img.tag);

    // Suspended: never scheduled, it is the template each run is created from
    // (`kubectl create job --from=cronjob/<name> <run-name>`), so every run is a new Job with its own log.
    new k8s.KubeCronJob(this, 'Run', {
      metadata: meta('locust-run', this.runCronJobName),
      spec: {
        suspend: true,
        schedule: '0 0 1 1 *',
        concurrencyPolicy: 'Forbid',
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          spec: {
            // A failed run is reported, not retried: rerunning is a decision.
            backoffLimit: 0,
            activeDeadlineSeconds: runSeconds(b.runTime) + 3 * RUN_WAIT_SECONDS,
            template: {
              metadata: { labels: ctx.labels('locust-run', img.tag), annotations: podAnnotations },
              spec: {
                ...pod,
                restartPolicy: 'Never',
                securityContext: ctx.podSecurity(img),
                containers: [
                  {
                    ...locustContainer,
                    name: 'run',
                    command: ['python3', `${SCRIPTS_DIR}/run.py`],
                    env: [{ name: 'LOCUST_MASTER_URL', value: this.masterUrl }, ...runEnv, { name: 'HOME', value: '/tmp' }, { name: 'PYTHONDONTWRITEBYTECODE', value: '1' }],
                    resources: ctx.resources(RUN_RESOURCES),
                    volumeMounts: [scriptsMount, tmp.mount],
                  },
                ],
                volumes: [scriptsVolume, tmp.volume],
              },
            },
          },
        },
      },
    });

    const zmq = [{ port: LOCUST_ZMQ_COMM_PORT }, { port: LOCUST_ZMQ_DATA_PORT }];
    ctx.allow({ from: { component: 'locust-worker' }, to: { component: 'locust-master' }, ports: zmq, reason: 'Locust workers take orders from and report to the master over ZeroMQ' });
    ctx.allow({ from: { component: 'locust-worker' }, to: { component: target.component }, ports: [{ port: target.containerPort }], reason: 'the benchmark users send MCP requests' });
    ctx.allow({ from: { component: 'locust-run' }, to: { component: 'locust-master' }, ports: [{ port: LOCUST_WEB_PORT }], reason: 'a benchmark run starts and watches the load through the master web API' });
  }
}

/** Settings a construct user can get wrong on their own (the stack's values schema checks the same before). */
function refuseBadSettings(scope: IConstruct, b: BenchmarkSettings): void {
  refuseProps(scope, 'LocustBenchmark', [
    ...(['users', 'spawnRate', 'workers', 'expectWorkers'] as const).map((field) => wholeNumberProblem(field, b[field], 1)),
    /^\d+[smh]$/.test(b.runTime) ? undefined : propProblem('runTime', b.runTime, 'must look like 60s, 5m or 1h'),
  ]);
}
