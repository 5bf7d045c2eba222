/**
 * The gateway's non-secret settings (its ConfigMap) and its plugin configuration. Pure functions of the gateway's
 * settings, so tests and the Helm output can read them without synthesizing.
 */
import { dump } from 'js-yaml';
import type { PluginName, Values } from '../../profiles/schema';
import { pluginSettingsConfig } from './plugin-settings';

/** Keys the gateway Secret must hold (the `secrets` command generates them). */
export { GATEWAY_SECRET_KEYS } from '../../profiles/secrets-schema';

export const PLUGINS_DIR = '/app/config/plugins';

/** The gateway's own settings, as under `gateway` in the values (plugins included). */
export type GatewaySettings = Values['gateway'];

/** The release a gateway belongs to: its tokens and admin name are scoped to it. */
export interface GatewayRelease {
  readonly release: string;
  readonly namespace: string;
}

/** The Redis address reaches the gateway as REDIS_URL, composed by its container's command (`Gateway.withRedisUrl`). */
export function gatewaySettings(g: GatewaySettings, r: GatewayRelease): Record<string, string> {
  const ttl = String(g.cacheTtlSeconds);
  const s: Record<string, string> = {
    HOST: '0.0.0.0',
    PORT: '4444',
    TRANSPORT_TYPE: 'streamablehttp',
    LOG_LEVEL: g.logLevel,
    AUTH_REQUIRED: 'true',
    MCP_REQUIRE_AUTH: 'true',
    REQUIRE_STRONG_SECRETS: 'true',
    PLATFORM_ADMIN_EMAIL: g.platformAdminEmail,
    // The migration Job owns the schema; gateway pods only wait for it (startup probe).
    MCPGATEWAY_SKIP_MIGRATIONS: 'true',
    GUNICORN_WORKERS: String(g.workers),
    GUNICORN_TIMEOUT: String(g.timeoutSeconds),
    GUNICORN_MAX_REQUESTS: String(g.maxRequests),
    GUNICORN_MAX_REQUESTS_JITTER: String(g.maxRequestsJitter),
    GUNICORN_PRELOAD_APP: 'true',
    DB_POOL_SIZE: String(g.dbPool.size),
    DB_MAX_OVERFLOW: String(g.dbPool.maxOverflow),
    DB_POOL_TIMEOUT: String(g.dbPool.timeoutSeconds),
    DB_POOL_RECYCLE: String(g.dbPool.recycleSeconds),
    DB_POOL_PRE_PING: 'true',
    // Only the versioned API: the unversioned aliases are past their sunset date in this release.
    LEGACY_API_ENABLED: 'false',
    // The default prefix collides with the versioned API's /v1.
    LLM_API_PREFIX: '/llm/v1',
    // Tokens of one release and namespace are not accepted by another sharing a signing key by mistake; the
    // default values are the same everywhere (the gateway warns about them), and so is the default admin name.
    JWT_ISSUER: `${r.release}.${r.namespace}`,
    JWT_AUDIENCE: `${r.release}.${r.namespace}.api`,
    BASIC_AUTH_USER: `${r.release}-admin`,
    // Explicit: with 'auto' the gateway switches to NullPool whenever the URL names PgBouncer (PGO's pgbouncer-host),
    // which would make DB_POOL_SIZE meaningless and the connection budget unbounded.
    DB_POOL_CLASS: 'queue',
    CACHE_TYPE: 'redis',
    REGISTRY_CACHE_ENABLED: 'true',
    REGISTRY_CACHE_TOOLS_TTL: ttl,
    REGISTRY_CACHE_PROMPTS_TTL: ttl,
    REGISTRY_CACHE_RESOURCES_TTL: ttl,
    REGISTRY_CACHE_AGENTS_TTL: ttl,
    REGISTRY_CACHE_SERVERS_TTL: ttl,
    REGISTRY_CACHE_GATEWAYS_TTL: ttl,
    REGISTRY_CACHE_CATALOG_TTL: ttl,
    AUTH_CACHE_ENABLED: 'true',
    AUTH_CACHE_USER_TTL: ttl,
    AUTH_CACHE_TEAM_TTL: ttl,
    AUTH_CACHE_ROLE_TTL: ttl,
    AUTH_CACHE_TEAMS_TTL: ttl,
    AUTH_CACHE_REVOCATION_TTL: '120',
    SSRF_PROTECTION_ENABLED: 'true',
    SSRF_ALLOW_LOCALHOST: 'false',
    SSRF_ALLOW_PRIVATE_NETWORKS: String(g.ssrf.allowPrivateNetworks),
    SSRF_ALLOWED_NETWORKS: JSON.stringify(g.ssrf.allowedNetworks),
    // The gateway's own API rate limiting counts per client IP and per user. Every client reaches it through a proxy
    // (NGINX, an Ingress, a Route) whose address it sees instead of the client's, so the IP count is everyone's: its
    // lockout (15 minutes after 5 refusals) would lock every client out at once, and the MCP tier's 100 requests a
    // minute would cap the whole stack. No lockout, and the MCP tier allows what the rate limiter plugin allows a
    // tenant, which stays the per-user and per-tenant limit (`extraConfig` can set any RATE_LIMIT_* itself).
    RATE_LIMIT_LOCKOUT_ENABLED: 'false',
    RATE_LIMIT_MEDIUM_RPM: String(g.plugins.settings.rateLimiter.perTenantPerMinute),
    PLUGINS_ENABLED: String(g.plugins.enabled),
    ...(g.plugins.enabled ? { PLUGINS_CONFIG_FILE: `${PLUGINS_DIR}/config.yaml` } : {}),
    ...g.extraConfig,
  };
  return sortKeys(s);
}

/**
 * Class path and settings of each plugin. The classes are those of the gateway release's plugin packages
 * (`cpex_*`, from its `plugins` extra); hooks and setting names are ones their manifests declare. The mode comes
 * from the settings.
 */
const PLUGIN_CATALOG: Record<PluginName, { kind: string; priority: number; hooks: string[]; config: Record<string, unknown> }> = {
  RateLimiterPlugin: {
    kind: 'cpex_rate_limiter.rate_limiter.RateLimiterPlugin',
    priority: 20,
    hooks: ['prompt_pre_fetch', 'tool_pre_invoke'],
    config: { backend: 'redis', by_user: '30/m', by_tenant: '3000/m' },
  },
  PIIFilterPlugin: {
    kind: 'cpex_pii_filter.pii_filter.PIIFilterPlugin',
    priority: 50,
    hooks: ['prompt_pre_fetch', 'prompt_post_fetch', 'tool_pre_invoke', 'tool_post_invoke'],
    config: { default_mask_strategy: 'partial', log_detections: true },
  },
  SecretsDetectionPlugin: {
    kind: 'cpex_secrets_detection.secrets_detection.SecretsDetectionPlugin',
    priority: 51,
    hooks: ['tool_post_invoke', 'resource_post_fetch'],
    config: { block_on_detection: true },
  },
  EncodedExfilDetectorPlugin: {
    kind: 'cpex_encoded_exfil_detection.encoded_exfil_detection.EncodedExfilDetectorPlugin',
    priority: 52,
    hooks: ['tool_post_invoke'],
    config: {},
  },
  RetryWithBackoffPlugin: {
    kind: 'cpex_retry_with_backoff.retry_with_backoff.RetryWithBackoffPlugin',
    priority: 170,
    hooks: ['tool_post_invoke'],
    config: {},
  },
};

/**
 * The Redis password as the plugin loader's template renders it into a URL: percent-encoded (Jinja's `urlencode`
 * keeps `/`, which would end the authority part, so it is encoded too).
 */
const ENCODED_REDIS_PASSWORD = "{{ env.REDIS_PASSWORD | urlencode | replace('/', '%2F') }}";

/**
 * The plugin framework's `config.yaml`. The rate limiter's Redis URL takes the password from `env.REDIS_PASSWORD`,
 * which the gateway expands from its environment when it loads the file, so the file holds no credential.
 */
export function pluginConfig(plugins: GatewaySettings['plugins'], redisHost: string, redisPort: number): string {
  const entries = (Object.keys(PLUGIN_CATALOG) as PluginName[]).map((name) => {
    const p = PLUGIN_CATALOG[name];
    const settings = pluginSettingsConfig(plugins.settings, name, p.config);
    const config = name === 'RateLimiterPlugin' ? { ...settings, redis_url: `redis://:${ENCODED_REDIS_PASSWORD}@${redisHost}:${redisPort}/0` } : settings;
    return { name, kind: p.kind, hooks: p.hooks, mode: plugins.modes[name], priority: p.priority, config };
  });
  return dump(
    {
      plugin_settings: { parallel_execution_within_band: true, plugin_timeout: 120, fail_on_plugin_error: false },
      plugins: entries,
    },
    { lineWidth: -1, noRefs: true },
  );
}

function sortKeys(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
}
