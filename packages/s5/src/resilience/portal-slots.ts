import { bulkhead, type BulkheadPolicy } from 'cockatiel';

/**
 * At most N requests in flight per portal from this process (cockatiel's bulkhead, queue unbounded:
 * callers wait for a slot rather than fail). A Dart portal serves 50 requests at a time for all its
 * users and a blob miss holds a slot for 60 s (PORTALS.md §2.11), so one client must not take them
 * all. Shared by every PortalClient in the process that talks to the same portal origin.
 */
const slots = new Map<string, { limit: number; policy: BulkheadPolicy }>();

export const DEFAULT_PORTAL_CONCURRENCY = 8;

export function portalSlots(origin: string, limit = DEFAULT_PORTAL_CONCURRENCY): BulkheadPolicy {
  const existing = slots.get(origin);
  if (existing && existing.limit === limit) return existing.policy;
  const policy = bulkhead(limit, Number.POSITIVE_INFINITY);
  // A client asking for another limit gets its own bulkhead; the first one stays the shared default.
  if (!existing) slots.set(origin, { limit, policy });
  return policy;
}
