/**
 * Keys that earlier releases of this project accepted and this one removed, each with the reason and what to do
 * instead. A values file written for an earlier release is then refused with that reason rather than only as an
 * unknown key. The CLI and the chart's validation read this one list.
 */
import { defaults } from './defaults';
import { pluginNames } from './schema';

export interface RemovedKey {
  /** Dotted path of the key, as a values file spells it. */
  readonly path: string;
  /** Why it went away. */
  readonly why: string;
  /** What to do instead. */
  readonly instead: string;
}

const gatewayRelease = `ContextForge ${defaults.images.gateway.tag}, the gateway release this stack deploys`;
const unshippedPlugin = (name: string): RemovedKey => ({
  path: `gateway.plugins.modes.${name}`,
  why: `${gatewayRelease}, does not ship ${name}, so the gateway skipped it at startup and it never ran`,
  instead: `delete the key; the plugins this release ships: ${pluginNames.join(', ')}`,
});

export const removedKeys: readonly RemovedKey[] = [
  {
    path: 'gateway.sessionPool',
    why: `${gatewayRelease}, has no MCP_SESSION_POOL_* settings and ignored them, so these values never took effect`,
    instead: 'delete the block; nothing replaces it',
  },
  unshippedPlugin('UnifiedPDPPlugin'),
  unshippedPlugin('OutputLengthGuardPlugin'),
  {
    path: 'gateway.plugins.settings.outputLengthGuard',
    why: `it configured OutputLengthGuardPlugin, which ${gatewayRelease}, does not ship`,
    instead: 'delete the block',
  },
];

/** The message for a removed key, or undefined when the path was never a key. */
export function removedKeyMessage(path: string): string | undefined {
  const removed = removedKeys.find((k) => k.path === path);
  return removed && `removed: ${removed.why}; ${removed.instead}`;
}
