/**
 * Portal health, as the harness shows it: is the portal answering, how fast,
 * and since when. The probe runs on the harness server (`/api/portal-health`)
 * so a down portal does not fill the browser console with red network lines;
 * what the SDK itself sees (writes pending for long) is shown next to it.
 */
export type HealthState = 'checking' | 'up' | 'degraded' | 'hung' | 'down';

export interface PortalHealth {
  state: HealthState;
  /** Round trip of the last probe (ms), when it answered. */
  latencyMs?: number;
  /** HTTP status of the last answer. */
  status?: number;
  /** What went wrong, in words. */
  detail?: string;
  /** When the state last changed (ms since epoch). */
  since: number;
  checkedAt: number;
}

/** A registry key that never holds an entry: every portal answers it quickly (404) without side effects. */
export const PROBE_PATH = "/s5/version";
export const PROBE_TIMEOUT_MS = 4000;

/** Server side: one probe of `portalUrl`. */
export async function probePortal(portalUrl: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<Omit<PortalHealth, 'since'>> {
  const started = Date.now();
  try {
    const res = await fetch(`${portalUrl}${PROBE_PATH}`, { signal: AbortSignal.timeout(timeoutMs), cache: 'no-store' });
    await res.arrayBuffer().catch(() => undefined);
    const latencyMs = Date.now() - started;
    if (res.status >= 500) {
      return { state: 'degraded', status: res.status, latencyMs, detail: `answers HTTP ${res.status}`, checkedAt: Date.now() };
    }
    return { state: 'up', status: res.status, latencyMs, checkedAt: Date.now() };
  } catch (e) {
    const name = (e as { name?: string }).name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      return { state: 'hung', detail: `no answer within ${timeoutMs / 1000} s (connection open, nothing comes back)`, checkedAt: Date.now() };
    }
    const cause = (e as { cause?: { code?: string } }).cause?.code;
    return { state: 'down', detail: cause === 'ECONNREFUSED' ? 'connection refused (nothing listens on that port)' : `unreachable (${cause ?? String(e)})`, checkedAt: Date.now() };
  }
}

/** Only the configured portal or a loopback address may be probed (the route is not an open proxy). */
export function mayProbe(target: string, configured: string): boolean {
  if (target === configured) return true;
  try {
    const u = new URL(target);
    return (u.protocol === 'http:' || u.protocol === 'https:') && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
  } catch {
    return false;
  }
}

/** Browser side: asks the harness server to probe `portalUrl`. */
export async function fetchHealth(portalUrl: string): Promise<Omit<PortalHealth, 'since'>> {
  try {
    const res = await fetch(`/api/portal-health?portal=${encodeURIComponent(portalUrl)}`, {
      cache: 'no-store',
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS + 3000),
    });
    if (!res.ok) return { state: 'down', detail: `health route answered ${res.status}`, checkedAt: Date.now() };
    return (await res.json()) as Omit<PortalHealth, 'since'>;
  } catch (e) {
    return { state: 'down', detail: `harness server unreachable (${String(e)})`, checkedAt: Date.now() };
  }
}
