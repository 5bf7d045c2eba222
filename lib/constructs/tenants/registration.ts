/**
 * Gateway side of the tenants: the catalog of every tenant MCP server (name, in-cluster URL, transport) and one
 * reconciling Job in the gateway's namespace that makes the gateway's registrations match it.
 *
 * One reconciling Job rather than a Job per tenant: it is one pod however many tenants there are (a Job per tenant
 * would start 1,000 pods on every sync), it can remove the registrations of tenants that left (a per-tenant Job
 * disappears with its tenant and cannot clean up after it), and it signs one token and lists the registrations once.
 */
import { Construct } from 'constructs';
import { defaults } from '../../../profiles/defaults';
import type { Resources, Values } from '../../../profiles/schema';
import type { TenantsConfig } from '../../../profiles/tenants-schema';
import { nameHash, sha256 } from '../core/checksum';
import { k8s, StackContext } from '../core/context';
import { gatewayImageJob, jobHash, REGISTRATION_JOB_INPUTS, setHatches } from '../gateway-jobs';
import { noPodOverrides, type PodOverrides } from '../../../profiles/pod-overrides-schema';
import { HOOKS } from '../core/hooks';
import { GATEWAY_PORT, type Gateway } from '../gateway';
import { resolveTenants } from './model';
import { CATALOG_DIR, REGISTER_PY, REGISTER_SH, registerPython, registerShell, SCRIPTS_DIR } from './registration-script';

export const REGISTRATION_COMPONENT = 'tenant-registration';
/** Tag on every registration the Job owns: only those are ever removed. */
export const OWNER_TAG = 'mcp-stack-tenant';
/** Servers per catalog ConfigMap: about 200 bytes each keeps a shard far below the 1 MiB object limit. */
export const CATALOG_SHARD_SIZE = 2000;

export interface CatalogEntry {
  readonly name: string;
  readonly url: string;
  /** ContextForge's transport names. */
  readonly transport: 'SSE' | 'STREAMABLEHTTP';
  readonly tenant: string;
  readonly server: string;
}

/** Every tenant server the gateway must know, sorted by registration name. */
export function tenantCatalog(values: Values): CatalogEntry[] {
  return resolveTenants(values)
    .flatMap((t) =>
      t.servers.map((s) => ({
        name: s.registrationName,
        url: s.url,
        transport: s.protocol === 'sse' ? ('SSE' as const) : ('STREAMABLEHTTP' as const),
        tenant: t.name,
        server: s.name,
      })),
    )
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Whether the platform needs the tenant registration Job. */
export function tenantRegistrationEnabled(values: Values): boolean {
  return values.tenants.registration.enabled && values.tenants.items.length > 0;
}

/** Adds the tenant registration Job to a unit of the platform (when enabled and there are tenants), from the values. */
export function tenantRegistration(scope: Construct, values: Values, ctx: StackContext, gateway: GatewayEndpoint): TenantRegistration | undefined {
  if (!tenantRegistrationEnabled(values)) return undefined;
  return new TenantRegistration(scope, 'TenantRegistration', {
    context: ctx,
    gateway,
    catalog: tenantCatalog(values),
    settings: values.tenants.registration,
    resources: values.registration.resources,
    overrides: values.registration,
    jobInputs: jobHash(values, REGISTRATION_JOB_INPUTS),
  });
}

/** What of the gateway the Job needs: its image, URL and environment (settings, Secret, Redis). */
export type GatewayEndpoint = Pick<Gateway, 'image' | 'imageSpec' | 'url' | 'envFrom' | 'redisEnv' | 'withRedisUrl'>;

export interface TenantRegistrationProps {
  /** The gateway the Job registers the servers with (the `Gateway` construct fits). */
  readonly gateway: GatewayEndpoint;
  /** Every tenant server the gateway must know, sorted by registration name (`tenantCatalog`). */
  readonly catalog: readonly CatalogEntry[];
  /** How long a server may take to become reachable, and registrations at once. @default 300 seconds, 8 */
  readonly settings?: Partial<Pick<TenantsConfig['registration'], 'retrySeconds' | 'parallelism'>>;
  /** Requests and limits of the Job's pod. @default the built-in registration resources (`profiles/defaults.ts`) */
  readonly resources?: Resources;
  /** Escape hatches of the Job's pod (the stack's `registration` block's). @default none */
  readonly overrides?: PodOverrides;
  /**
   * What else the Job's pod is built from (image pull settings, platform, Secrets, resources), hashed: a change gets a
   * new Job, since a Job's template is immutable. @default '' (only the image, scripts, catalog and settings)
   */
  readonly jobInputs?: string;
  /** @default StackContext.of(scope) */
  readonly context?: StackContext;
}

export class TenantRegistration extends Construct {
  readonly jobName: string;
  readonly catalogNames: readonly string[];

  constructor(scope: Construct, id: string, props: TenantRegistrationProps) {
    super(scope, id);
    const { gateway } = props;
    const ctx = props.context ?? StackContext.of(this);
    const reg = { ...defaults.tenants.registration, ...props.settings };
    // The gateway image's tag: the stack context's version.
    const meta = (name: string) => ctx.meta(REGISTRATION_COMPONENT, name, { version: ctx.version });
    const activeDeadlineSeconds = reg.retrySeconds + 1200;
    const scripts = { [REGISTER_SH]: registerShell(Math.ceil(activeDeadlineSeconds / 60) + 5), [REGISTER_PY]: registerPython() };
    const scriptsName = ctx.name('tenant-registration');
    new k8s.KubeConfigMap(this, 'Scripts', { metadata: meta(scriptsName), data: scripts });

    const shards = chunk(props.catalog, CATALOG_SHARD_SIZE);
    this.catalogNames = shards.map((_, i) => ctx.name(`tenant-catalog-${i}`));
    shards.forEach((entries, i) => {
      const file = `catalog-${String(i).padStart(3, '0')}.json`;
      new k8s.KubeConfigMap(this, `Catalog${i}`, { metadata: meta(this.catalogNames[i]), data: { [file]: catalogJson(entries) } });
    });

    const env: k8s.EnvVar[] = [
      { name: 'GATEWAY_URL', value: gateway.url },
      { name: 'CATALOG_DIR', value: CATALOG_DIR },
      { name: 'OWNER_TAG', value: OWNER_TAG },
      { name: 'RETRY_SECONDS', value: String(reg.retrySeconds) },
      { name: 'PARALLELISM', value: String(reg.parallelism) },
    ];
    // A Job's template is immutable: a new image, script, catalog, setting or resource gets a new Job, which runs once
    // (`jobHash` covers the image, pull settings, platform, Secrets and the registration resources).
    const inputs = props.jobInputs ?? '';
    const overrides = props.overrides ?? noPodOverrides();
    const hatches = setHatches(overrides);
    const hashed = [scripts, shards, env, inputs, ...(hatches ? [hatches] : [])];
    this.jobName = ctx.name(`register-tenants-${nameHash(`${gateway.image}\n${sha256(JSON.stringify(hashed))}`)}`);
    gatewayImageJob(this, ctx, gateway, {
      component: REGISTRATION_COMPONENT,
      name: this.jobName,
      annotations: HOOKS.registration,
      command: gateway.withRedisUrl(`exec /bin/sh ${SCRIPTS_DIR}/${REGISTER_SH}`),
      env,
      resources: props.resources ?? defaults.registration.resources,
      backoffLimit: 2,
      activeDeadlineSeconds,
      mounts: [
        { name: 'scripts', mountPath: SCRIPTS_DIR, volume: { configMap: { name: scriptsName } } },
        { name: 'catalog', mountPath: CATALOG_DIR, volume: { projected: { sources: this.catalogNames.map((name) => ({ configMap: { name } })) } } },
      ],
      overrides,
    });
    ctx.allow({ from: { component: REGISTRATION_COMPONENT }, to: { component: 'gateway' }, ports: [{ port: GATEWAY_PORT }], reason: 'registers the tenant MCP servers through the REST API' });
  }
}

/** One entry per line: compact, and a tenant change is a one-line diff. */
function catalogJson(entries: readonly CatalogEntry[]): string {
  return entries.length ? `[\n${entries.map((e) => JSON.stringify(e)).join(',\n')}\n]\n` : '[]\n';
}

function chunk<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out.length ? out : [[]];
}
