/**
 * The devnode's admin routes, called from the browser (the devnode sends CORS
 * headers). Only the local devnode has them; a remote S5 portal does not.
 */
import { HarnessError } from './errors';

export interface FaultConfig {
  latencyMs: number;
  jitterMs: number;
  errorRate: number;
  conflictRate: number;
  staleReadRate: number;
  resetRate: number;
}

export const NO_FAULTS: FaultConfig = { latencyMs: 0, jitterMs: 0, errorRate: 0, conflictRate: 0, staleReadRate: 0, resetRate: 0 };

/** Every knob on, at rates the SDK must ride out without losing a message. */
export const CHAOS_FAULTS: FaultConfig = {
  latencyMs: 15,
  jitterMs: 15,
  errorRate: 0.1,
  conflictRate: 0.05,
  staleReadRate: 0.05,
  resetRate: 0.02,
};

export interface DevnodeStatsView {
  requests?: { total?: number };
  registry?: { sets?: number; setsAccepted?: number; setsRejected?: number; gets?: number };
  faults?: { errors?: number; conflicts?: number; staleReads?: number; resets?: number };
}

async function admin(portalUrl: string, path: string, init?: RequestInit): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(`${portalUrl}${path}`, { cache: 'no-store', ...init });
  } catch (e) {
    throw new HarnessError('PORTAL_UNAVAILABLE', `Could not reach ${portalUrl}${path}.`, String(e));
  }
  if (res.status === 404) {
    throw new HarnessError('ADMIN_UNAVAILABLE', `${portalUrl} has no ${path} route (not a devnode?).`);
  }
  if (!res.ok) {
    throw new HarnessError('ADMIN_UNAVAILABLE', `${path} answered HTTP ${res.status}.`, await res.text().catch(() => ''));
  }
  return res;
}

export async function setFaults(portalUrl: string, faults: Partial<FaultConfig>): Promise<void> {
  await admin(portalUrl, '/admin/faults', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(faults),
  });
}

export async function getStats(portalUrl: string): Promise<DevnodeStatsView> {
  const res = await admin(portalUrl, '/admin/stats');
  return (await res.json()) as DevnodeStatsView;
}

export async function getFaults(portalUrl: string): Promise<FaultConfig> {
  const res = await admin(portalUrl, '/admin/faults');
  return { ...NO_FAULTS, ...((await res.json()) as Partial<FaultConfig>) };
}

/** The knobs that are on, e.g. "errorRate 0.1, latencyMs 15" (empty when none is). */
export function describeActiveFaults(f: FaultConfig): string {
  return (Object.keys(NO_FAULTS) as Array<keyof FaultConfig>)
    .filter((k) => typeof f[k] === 'number' && f[k] !== 0)
    .map((k) => `${k} ${f[k]}`)
    .join(', ');
}
