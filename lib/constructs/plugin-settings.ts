/** The `config` block of a gateway plugin in the plugin framework's `config.yaml`, from its settings. */
import type { PluginSettings } from '../../profiles/plugin-settings-schema';
import type { PluginName } from '../../profiles/schema';

export function pluginSettingsConfig(s: PluginSettings, name: PluginName, base: Record<string, unknown>): Record<string, unknown> {
  switch (name) {
    case 'RateLimiterPlugin':
      return { ...base, by_user: `${s.rateLimiter.perUserPerMinute}/m`, by_tenant: `${s.rateLimiter.perTenantPerMinute}/m` };
    case 'SecretsDetectionPlugin':
      return { ...base, block_on_detection: s.secretsDetection.blockOnDetection };
    default:
      return base;
  }
}
