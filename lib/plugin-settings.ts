/** The `config` block of a gateway plugin in the plugin framework's `config.yaml`, from the values. */
import type { PluginName, Values } from '../profiles/schema';

export function pluginSettingsConfig(v: Values, name: PluginName, base: Record<string, unknown>): Record<string, unknown> {
  const s = v.gateway.plugins.settings;
  switch (name) {
    case 'RateLimiterPlugin':
      return { ...base, by_user: `${s.rateLimiter.perUserPerMinute}/m`, by_tenant: `${s.rateLimiter.perTenantPerMinute}/m` };
    case 'SecretsDetectionPlugin':
      return { ...base, block_on_detection: s.secretsDetection.blockOnDetection };
    default:
      return base;
  }
}
