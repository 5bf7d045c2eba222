/** Settings of the gateway plugins beyond their mode: the rate limits and secrets detection. */
import { z } from 'zod';

export const pluginSettingsSchema = z.strictObject({
  rateLimiter: z.strictObject({
    /** Calls per minute one user may make (prompts and tool calls). */
    perUserPerMinute: z.number().int().min(1),
    /** Calls per minute all users of one tenant (team) may make together. */
    perTenantPerMinute: z.number().int().min(1),
  }),
  secretsDetection: z.strictObject({
    /** Refuse a tool result that holds a secret (otherwise it is only reported). */
    blockOnDetection: z.boolean(),
  }),
});

export type PluginSettings = z.infer<typeof pluginSettingsSchema>;

export const pluginSettingsDefaults: PluginSettings = {
  rateLimiter: { perUserPerMinute: 30, perTenantPerMinute: 3000 },
  secretsDetection: { blockOnDetection: true },
};
