/**
 * Runtime configuration of the harness. The portal URL is read on the server
 * at request time (never baked into the client bundle), so one production
 * build can target the local devnode or any S5 portal.
 */
export interface HarnessConfig {
  /** The S5 portal the browser talks to directly. */
  portalUrl: string;
  /**
   * Where the URL came from: the devnode `pnpm start` launched, the
   * `S5CHAT_PORTAL_URL` variable (any portal), or the built-in default.
   */
  portalSource: 'devnode' | 'env' | 'default';
  /** True when the portal is the local devnode (its /admin routes exist). */
  devnode: boolean;
  /** Optional identity and registration settings for a remote portal. */
  seedPhrase?: string;
  inviteCode?: string;
  /**
   * How the page gets its portal token: 'direct' (the portal's JSON login answer) or 'proxy'
   * (cookie-only portals: through the harness's /api/portal-login route). S5CHAT_PORTAL_LOGIN.
   */
  portalLogin: 'direct' | 'proxy';
  /** The devnode profile npm start launched (S5CHAT_DEVNODE_PROFILE), shown in the header. */
  profile?: string;
}

export const DEFAULT_PORTAL_URL = 'http://127.0.0.1:5050';

/** Server side only: reads the environment of the `next start` process. */
export function readServerConfig(env: Record<string, string | undefined> = process.env): HarnessConfig {
  const fromEnv = env.S5CHAT_PORTAL_URL?.trim();
  const config: HarnessConfig = {
    portalUrl: (fromEnv || DEFAULT_PORTAL_URL).replace(/\/+$/, ''),
    portalSource: fromEnv ? (env.S5CHAT_DEVNODE === '1' ? 'devnode' : 'env') : 'default',
    // start.mjs and the e2e setup set S5CHAT_DEVNODE=1 when they launched the devnode themselves.
    devnode: !fromEnv || env.S5CHAT_DEVNODE === '1',
    portalLogin: env.S5CHAT_PORTAL_LOGIN?.trim() === 'proxy' ? 'proxy' : 'direct',
  };
  const profile = env.S5CHAT_DEVNODE_PROFILE?.trim();
  if (profile) config.profile = profile;
  const seed = env.S5CHAT_SEED_PHRASE?.trim();
  if (seed) config.seedPhrase = seed;
  const invite = env.S5CHAT_INVITE_CODE?.trim();
  if (invite) config.inviteCode = invite;
  return config;
}

/** Browser side: fetches the configuration from `/api/config`. */
export async function fetchConfig(): Promise<HarnessConfig> {
  const res = await fetch('/api/config', { cache: 'no-store' });
  if (!res.ok) throw new Error(`GET /api/config answered ${res.status}`);
  return (await res.json()) as HarnessConfig;
}
