import { startDevnode, type Devnode, type ProfileName } from '@s5chat/devnode';

/** Every portal profile the client must work on. A profile the devnode lacks fails the suite (never skipped). */
export const PROFILES: ProfileName[] = ['devnode', 'dart', 'dart-0.14', 'lumeweb'];

/** Real waits (60 s blob miss, ≈2 s first registry read) scaled down so a suite stays short. */
export const TIME_SCALE = 0.005;

export async function startProfile(profile: ProfileName, extra: Parameters<typeof startDevnode>[0] = {}): Promise<Devnode> {
  const node = await startDevnode({ port: 0, host: '127.0.0.1', log: false, profile, timeScale: TIME_SCALE, ...extra });
  if ((node.profile ?? 'devnode') !== profile) {
    await node.stop();
    throw new Error(`devnode did not start profile ${profile} (got ${String(node.profile)}): merge h/devnode`);
  }
  return node;
}

export const isDart = (p: ProfileName) => p === 'dart' || p === 'dart-0.14';

/** A fetch that records what went over the wire (method, URL, status, whether a redirect was followed). */
export function recordingFetch(log: { method: string; url: string; status: number; redirected: boolean; headers: Headers }[]) {
  return async (url: string, init?: RequestInit): Promise<Response> => {
    const res = await fetch(url, init);
    log.push({ method: init?.method ?? 'GET', url, status: res.status, redirected: res.redirected, headers: new Headers(init?.headers) });
    return res;
  };
}
