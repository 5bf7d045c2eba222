/**
 * The gateway's non-secret settings (its ConfigMap) and its plugin configuration. Pure functions of the values, so
 * tests and the Helm output can read them without synthesizing.
 */
import { dump } from 'js-yaml';
import type { PluginName, Values } from '../profiles/schema';
import { pluginSettingsConfig } from './plugin-settings';

/** Keys the gateway Secret must hold (the `secrets` command generates them). */
export const GATEWAY_SECRET_KEYS = ['JWT_SECRET_KEY', 'AUTH_ENCRYPTION_SECRET', 'BASIC_AUTH_PASSWORD', 'PLATFORM_ADMIN_PASSWORD'] as const;

export const PLUGINS_DIR = '/app/config/plugins';

export function gatewaySettings(v: Values, redisHost: string, redisPort: number): Record<string, string> {
  const g = v.gateway;
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
    CACHE_TYPE: 'redis',
    REDIS_HOST: redisHost,
    REDIS_PORT: String(redisPort),
    MCP_SESSION_POOL_ENABLED: String(g.sessionPool.enabled),
    MCP_SESSION_POOL_MAX_PER_KEY: String(g.sessionPool.maxPerKey),
    MCP_SESSION_POOL_TTL: `${g.sessionPool.ttlSeconds}.0`,
    MCP_SESSION_POOL_HEALTH_CHECK_INTERVAL: `${g.sessionPool.healthCheckIntervalSeconds}.0`,
    MCP_SESSION_POOL_ACQUIRE_TIMEOUT: `${g.sessionPool.acquireTimeoutSeconds}.0`,
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
    PLUGINS_ENABLED: String(g.plugins.enabled),
    ...(g.plugins.enabled ? { PLUGINS_CONFIG_FILE: `${PLUGINS_DIR}/config.yaml` } : {}),
    ...g.extraConfig,
  };
  return sortKeys(s);
}

/** Class path and settings of each plugin the OCP seed runs; the mode comes from the values. */
const PLUGIN_CATALOG: Record<PluginName, { kind: string; priority: number; hooks: string[]; config: Record<string, unknown> }> = {
  UnifiedPDPPlugin: {
    kind: 'plugins.unified_pdp.unified_pdp.UnifiedPDPPlugin',
    priority: 10,
    hooks: ['tool_pre_invoke', 'resource_pre_fetch'],
    config: {
      engines: [{ name: 'native', enabled: true, priority: 1 }],
      combination_mode: 'all_must_allow',
      default_decision: 'deny',
    },
  },
  RateLimiterPlugin: {
    kind: 'plugins.rate_limiter.rate_limiter.RateLimiterPlugin',
    priority: 20,
    hooks: ['prompt_pre_fetch', 'tool_pre_invoke'],
    config: { backend: 'redis', by_user: '30/m', by_tenant: '3000/m' },
  },
  PIIFilterPlugin: {
    kind: 'plugins.pii_filter.pii_filter.PIIFilterPlugin',
    priority: 50,
    hooks: ['prompt_pre_fetch', 'prompt_post_fetch', 'tool_pre_invoke', 'tool_post_invoke'],
    config: { default_mask_strategy: 'partial', log_detections: true },
  },
  SecretsDetectionPlugin: {
    kind: 'plugins.secrets_detection.secrets_detection.SecretsDetectionPlugin',
    priority: 51,
    hooks: ['tool_post_invoke', 'resource_post_fetch'],
    config: { block_on_detection: true },
  },
  EncodedExfilDetectorPlugin: {
    kind: 'plugins.encoded_exfil_detection.encoded_exfil_detector.EncodedExfilDetectorPlugin',
    priority: 52,
    hooks: ['tool_post_invoke'],
    config: {},
  },
  OutputLengthGuardPlugin: {
    kind: 'plugins.output_length_guard.output_length_guard.OutputLengthGuardPlugin',
    priority: 160,
    hooks: ['tool_post_invoke'],
    config: { max_chars: 15000, strategy: 'truncate' },
  },
  RetryWithBackoffPlugin: {
    kind: 'plugins.retry_with_backoff.retry_with_backoff.RetryWithBackoffPlugin',
    priority: 170,
    hooks: ['tool_post_invoke'],
    config: {},
  },
};

/**
 * The plugin framework's `config.yaml`. The rate limiter's Redis URL names the password as `{{ env.REDIS_PASSWORD }}`,
 * which the gateway expands from its environment when it loads the file, so the file holds no credential.
 */
export function pluginConfig(v: Values, redisHost: string, redisPort: number): string {
  const plugins = (Object.keys(PLUGIN_CATALOG) as PluginName[]).map((name) => {
    const p = PLUGIN_CATALOG[name];
    const settings = pluginSettingsConfig(v, name, p.config);
    const config = name === 'RateLimiterPlugin' ? { ...settings, redis_url: `redis://:{{ env.REDIS_PASSWORD }}@${redisHost}:${redisPort}/0` } : settings;
    return { name, kind: p.kind, hooks: p.hooks, mode: v.gateway.plugins.modes[name], priority: p.priority, config };
  });
  return dump(
    {
      plugin_settings: { parallel_execution_within_band: true, plugin_timeout: 120, fail_on_plugin_error: false },
      plugins,
    },
    { lineWidth: -1, noRefs: true },
  );
}

function sortKeys(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
}
