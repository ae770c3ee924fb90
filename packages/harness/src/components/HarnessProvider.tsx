'use client';
/**
 * Owns what both pages share: the runtime config, the connected identity,
 * the page's SDK instance, its telemetry and the list of errors shown to the
 * user. It lives in the root layout, so moving between / and /stress keeps
 * the connection.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { createSdk, type Sdk } from '@s5chat/sdk-core';
import { proxiedLogin, type S5Identity } from '@s5chat/s5';
import { S5ChatProvider } from '@s5chat/react';
import { fetchConfig, type HarnessConfig } from '../lib/config';
import { fetchHealth, type PortalHealth } from '../lib/health';
import { describeError, HarnessError, type ShownError } from '../lib/errors';
import {
  connectDevWallet,
  connectInjectedWallet,
  connectSeedPhrase,
  forgetFresh,
  rememberedKind,
  type ConnectedIdentity,
  type IdentityKind,
} from '../lib/identity';
import { Telemetry } from '../lib/telemetry';

export interface HarnessContextValue {
  config: HarnessConfig | null;
  connection: ConnectedIdentity | null;
  sdk: Sdk | null;
  connecting: boolean;
  /**
   * True until the page knows whether it reconnects by itself (a remembered development wallet or a
   * server-given seed phrase) and, if so, until that reconnect ends: the connect buttons stay hidden
   * meanwhile, so a click can never race the automatic reconnect.
   */
  restoring: boolean;
  telemetry: Telemetry;
  errors: ShownError[];
  connect(kind: IdentityKind, seedPhrase?: string): Promise<void>;
  disconnect(): Promise<void>;
  /** Creates another SDK instance for the same identity (a simulated device). */
  createDeviceSdk(deviceId: string, opts?: DeviceOptions): Promise<Sdk>;
  reportError(e: unknown, context: string): ShownError;
  /** A write (or read) of `context` succeeded: errors it made obsolete go away. */
  reportSuccess(context: string): void;
  dismissError(at: number): void;
  clearErrors(): void;
  /** The portal as the harness server sees it (polled). */
  health: PortalHealth;
  /** Runs before the SDK is closed by Disconnect (e.g. end a session mid-stream, keep its partial reply). */
  onBeforeDisconnect(fn: () => Promise<void>): () => void;
}

/** Codes that only say "the portal did not answer": any later success proves them stale. */
const TRANSIENT = new Set(['PORTAL_UNAVAILABLE', 'TIMEOUT', 'ABORTED', 'REVISION_CONFLICT', 'LOCK_TIMEOUT']);

function obsoletedBy(e: ShownError, successContext: string): boolean {
  return e.context === successContext || TRANSIENT.has(e.code) || e.context.startsWith('background');
}

const HarnessContext = createContext<HarnessContextValue | null>(null);

export function useHarness(): HarnessContextValue {
  const ctx = useContext(HarnessContext);
  if (!ctx) throw new Error('useHarness must be used inside <HarnessProvider>');
  return ctx;
}

/** A stable id for this tab, so the SDK can tell this tab's writes from another's. */
function tabDeviceId(): string {
  const key = 's5chat.harness.tabId';
  let id = sessionStorage.getItem(key);
  if (!id) {
    id = `tab-${Math.random().toString(36).slice(2, 10)}`;
    sessionStorage.setItem(key, id);
  }
  return id;
}

const OUTBOX_KEY = 's5chat.harness.outbox';

/** 'on' (default: writes made while the portal is unreachable wait in the outbox) or 'off' (fail fast). */
export function outboxPreference(): 'on' | 'off' {
  return typeof localStorage !== 'undefined' && localStorage.getItem(OUTBOX_KEY) === 'off' ? 'off' : 'on';
}

export function setOutboxPreference(v: 'on' | 'off'): void {
  localStorage.setItem(OUTBOX_KEY, v);
}

export interface DeviceOptions {
  /**
   * Take turns with other SDK instances of this origin through Web Locks, as
   * tabs do (default). The stress page turns it off so its simulated devices
   * race each other at the registry like separate machines would.
   */
  coordinateLikeTabs?: boolean;
  /** false: no outbox (writes fail fast instead of being queued while the portal is unreachable). */
  outbox?: false;
  /**
   * The identity was created in this browser and nothing is written under it yet: the SDK neither
   * reads keys it knows are empty nor logs in before registering (no red 404 / failed login lines).
   * Only the page's own SDK gets it; simulated devices are other writers.
   */
  fresh?: boolean;
}

async function sdkFor(config: HarnessConfig, identity: S5Identity, deviceId: string, opts: DeviceOptions = {}): Promise<Sdk> {
  const fresh = opts.fresh === true;
  return createSdk({
    portalUrl: config.portalUrl,
    identity,
    deviceId,
    ...(fresh ? { freshIdentity: true, onFreshIdentityUsed: () => forgetFresh(identity) } : {}),
    // An invite code only matters when registering on a portal that gates registration.
    ...(config.inviteCode ? { inviteCode: config.inviteCode } : {}),
    // Cookie-only portals (Dart <= v0.14.1, LumeWeb): the page cannot read the token, so it logs in
    // through the harness's same-origin route (/api/portal-login), signing the challenge itself.
    ...(config.portalLogin === 'proxy'
      ? {
          tokenProvider: proxiedLogin({
            proxyUrl: '/api/portal-login',
            portalUrl: config.portalUrl,
            identity,
            ...(config.inviteCode ? { inviteCode: config.inviteCode } : {}),
            ...(fresh ? { registerFirst: true } : {}),
          }),
        }
      : {}),
    ...(opts.coordinateLikeTabs === false ? { storage: { crossTab: false as const } } : {}),
    // The stress page judges acknowledged writes: a write parked in the outbox is not one, so its
    // devices fail fast instead of queueing.
    ...(opts.outbox === false ? { outbox: false as const } : {}),
  });
}

export function HarnessProvider({ children }: { children: ReactNode }) {
  const [config, setConfig] = useState<HarnessConfig | null>(null);
  const [connection, setConnection] = useState<ConnectedIdentity | null>(null);
  const [sdk, setSdk] = useState<Sdk | null>(null);
  const [connecting, setConnecting] = useState(false);
  const [restoring, setRestoring] = useState(true);
  const [errors, setErrors] = useState<ShownError[]>([]);
  const telemetry = useMemo(() => new Telemetry(), []);
  const sdkRef = useRef<Sdk | null>(null);

  const reportError = useCallback((e: unknown, context: string) => {
    const shown = describeError(e, context);
    // The same failure again (same code, same place) is one card with a count, not a pile.
    setErrors((list) => {
      const same = list.find((x) => x.code === shown.code && x.context === shown.context);
      if (same) return list.map((x) => (x === same ? { ...shown, at: same.at, count: (same.count ?? 1) + 1, lastAt: shown.at } : x));
      return [...list.slice(-9), shown];
    });
    return shown;
  }, []);

  const reportSuccess = useCallback((context: string) => {
    setErrors((list) => {
      const next = list.filter((x) => !obsoletedBy(x, context));
      return next.length === list.length ? list : next;
    });
  }, []);

  const [health, setHealth] = useState<PortalHealth>({ state: 'checking', since: Date.now(), checkedAt: 0 });
  useEffect(() => {
    if (!config) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      const h = await fetchHealth(config.portalUrl);
      if (stopped) return;
      setHealth((prev) => ({ ...h, since: prev.state === h.state ? prev.since : Date.now() }));
      timer = setTimeout(() => void tick(), h.state === 'up' ? 3000 : 1500);
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [config]);
  // The portal answers again: errors that only said "unreachable" are stale.
  useEffect(() => {
    if (health.state === 'up') reportSuccess('portal reachable');
  }, [health.state, reportSuccess]);

  const beforeDisconnect = useRef(new Set<() => Promise<void>>());
  const onBeforeDisconnect = useCallback((fn: () => Promise<void>) => {
    beforeDisconnect.current.add(fn);
    return () => void beforeDisconnect.current.delete(fn);
  }, []);

  const dismissError = useCallback((at: number) => setErrors((list) => list.filter((x) => x.at !== at)), []);
  const clearErrors = useCallback(() => setErrors([]), []);

  const connect = useCallback(
    async (kind: IdentityKind, seedPhrase?: string) => {
      if (!config) return;
      setConnecting(true);
      try {
        const conn =
          kind === 'injected'
            ? await connectInjectedWallet()
            : kind === 'dev-wallet'
              ? await connectDevWallet()
              : connectSeedPhrase(seedPhrase ?? '');
        const next = await sdkFor(config, conn.identity, tabDeviceId(), {
          fresh: conn.fresh,
          ...(outboxPreference() === 'off' ? { outbox: false as const } : {}),
        });
        const previous = sdkRef.current;
        sdkRef.current = next;
        telemetry.attach(next, (err, during) => {
          // A failed commit also rejects the promise of the call that asked for
          // it, and that caller shows the error; everything else is shown here.
          if (during !== 'commit') reportError(err, `background ${during}`);
        });
        setConnection(conn);
        setSdk(next);
        if (previous) await previous.close().catch((err: unknown) => reportError(err, 'close previous SDK'));
      } catch (e) {
        reportError(e, 'connect');
      } finally {
        setConnecting(false);
      }
    },
    [config, telemetry, reportError],
  );

  const disconnect = useCallback(async () => {
    // Let the chat end its session first (a reply streaming now is stored as partial).
    for (const fn of [...beforeDisconnect.current]) {
      await fn().catch((e: unknown) => reportError(e, 'end session before disconnect'));
    }
    const current = sdkRef.current;
    sdkRef.current = null;
    telemetry.detach();
    setSdk(null);
    setConnection(null);
    localStorage.removeItem('s5chat.harness.identityKind');
    if (current) await current.close().catch((e: unknown) => reportError(e, 'disconnect'));
  }, [telemetry, reportError]);

  const createDeviceSdk = useCallback(
    async (deviceId: string, opts?: DeviceOptions) => {
      if (!config || !connection) throw new HarnessError('NOT_CONNECTED', 'Connect an identity first.');
      return sdkFor(config, connection.identity, deviceId, opts);
    },
    [config, connection],
  );

  // Load the runtime config once.
  useEffect(() => {
    fetchConfig()
      .then(setConfig)
      .catch((e: unknown) => {
        setRestoring(false);
        reportError(new HarnessError('CONFIG_UNAVAILABLE', 'Could not load /api/config.', String(e)), 'startup');
      });
  }, [reportError]);

  // Reconnect silently after a reload when that needs no prompt: the local
  // development wallet, or a seed phrase given to the server (S5CHAT_SEED_PHRASE).
  const autoTried = useRef(false);
  useEffect(() => {
    if (!config || autoTried.current) return;
    autoTried.current = true;
    const auto = config.seedPhrase
      ? connect('seed', config.seedPhrase)
      : rememberedKind() === 'dev-wallet'
        ? connect('dev-wallet')
        : Promise.resolve();
    void auto.finally(() => setRestoring(false));
  }, [config, connect]);

  // Close the SDK when the tab goes away (flushes what it can).
  useEffect(() => {
    return () => {
      telemetry.detach();
      void sdkRef.current?.close().catch(() => undefined);
    };
  }, [telemetry]);

  const value: HarnessContextValue = {
    config,
    connection,
    sdk,
    connecting,
    restoring,
    telemetry,
    errors,
    connect,
    disconnect,
    createDeviceSdk,
    reportError,
    reportSuccess,
    dismissError,
    clearErrors,
    health,
    onBeforeDisconnect,
  };
  return (
    <HarnessContext.Provider value={value}>
      <S5ChatProvider sdk={sdk}>{children}</S5ChatProvider>
    </HarnessContext.Provider>
  );
}
