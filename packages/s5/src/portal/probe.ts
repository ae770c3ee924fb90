/**
 * Which portal implementation answers at a URL, asked once per portal (PORTALS.md §3 item 19):
 * `GET /s5/version` is `{"node":"1.0.0-pre.1"}` on Dart (any version) and the plain-text build
 * version on LumeWeb. Anything else (our devnode, a proxy, an error) is `unknown`, and the client
 * then uses only behaviour that works everywhere plus the portal's first answers.
 */
import type { FetchLike } from './http.js';

export type PortalKind = 'dart' | 'lumeweb' | 'unknown';

export interface PortalProfile {
  kind: PortalKind;
  /** `node` of Dart's reply, or LumeWeb's text. */
  version?: string;
}

const cache = new Map<string, Promise<PortalProfile>>();

/** Probe (cached per base URL for the life of the process; a failed probe is not cached). */
export function detectPortal(fetchImpl: FetchLike, baseUrl: string, timeoutMs = 5000): Promise<PortalProfile> {
  let pending = cache.get(baseUrl);
  if (!pending) {
    pending = probe(fetchImpl, baseUrl, timeoutMs).then(
      (profile) => profile,
      () => {
        cache.delete(baseUrl);
        return { kind: 'unknown' } as PortalProfile;
      },
    );
    cache.set(baseUrl, pending);
  }
  return pending;
}

/** Forget cached probes (tests that restart a portal on the same URL). */
export function clearPortalProbeCache(): void {
  cache.clear();
}

async function probe(fetchImpl: FetchLike, baseUrl: string, timeoutMs: number): Promise<PortalProfile> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const res = await fetchImpl(`${baseUrl}/s5/version`, { method: 'GET', credentials: 'omit', signal: controller.signal });
    const text = (await res.text()).slice(0, 200).trim();
    return classifyVersionAnswer(res.status, text);
  } finally {
    clearTimeout(timer);
  }
}

export function classifyVersionAnswer(status: number, text: string): PortalProfile {
  if (status !== 200) return { kind: 'unknown' };
  try {
    const json = JSON.parse(text) as { node?: unknown };
    if (json && typeof json === 'object') {
      return typeof json.node === 'string' ? { kind: 'dart', version: json.node } : { kind: 'unknown' };
    }
  } catch {
    /* not JSON: LumeWeb's plain build version */
  }
  // LumeWeb prints its build version (default `development`); anything HTML-like is a proxy page.
  if (text && text.length < 100 && !text.startsWith('<') && !/\s/.test(text)) return { kind: 'lumeweb', version: text };
  return { kind: 'unknown' };
}
