/** Schema of the per-tenant MCP server namespaces (see lib/tenants). */
import { z } from 'zod';

export const tenantsSchema = z.strictObject({
  items: z.array(z.unknown()),
});

export type TenantsValues = z.infer<typeof tenantsSchema>;
