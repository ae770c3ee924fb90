import type { ProfileName, Registration } from './profiles/profile.js';

export type { ProfileName, Registration };

/** Public types of `@s5chat/devnode`. */

/**
 * Faults the node injects into HTTP requests on `/s5/*` (admin routes and CORS preflights are never
 * faulted). Rates are probabilities in 0..1; every knob defaults to 0 (no fault).
 */
export interface FaultConfig {
  /** Fixed delay added before every faulted-route request is handled. */
  latencyMs: number;
  /** Extra uniformly random delay in [0, jitterMs) added on top of `latencyMs`. */
  jitterMs: number;
  /** Probability of answering 503 (JSON `{error}`) instead of handling the request. */
  errorRate: number;
  /** Probability that a registry POST is rejected with `Revision number too low` without storing anything. */
  conflictRate: number;
  /** Probability that a registry GET returns the previous revision of the key (404 if there was none). */
  staleReadRate: number;
  /**
   * Probability that the connection is destroyed. Half of the resets happen before the request is
   * handled, half after it was handled and before the response is written (the write happened but
   * the client never learns it) — both occur on real networks.
   */
  resetRate: number;
}

/** Input accepted by `startDevnode({ faults })`, `setFaults` and `POST /admin/faults`. */
export type FaultInput = Partial<FaultConfig> & {
  /** Re-seed the fault random generator so a run can be replayed. */
  seed?: number;
};

export interface DevnodeStats {
  requests: { total: number; byRoute: Record<string, number> };
  blobs: { count: number; bytes: number };
  uploads: number;
  registry: { sets: number; setsAccepted: number; setsRejected: number; gets: number };
  faults: { errors: number; conflicts: number; staleReads: number; resets: number };
  p2p: { connections: number; handshakes: number; framesIn: number; framesRejected: number };
}

export interface DevnodeOptions {
  /**
   * Which portal implementation to reproduce (PORTALS.md): `devnode` (default) is the permissive,
   * fast node for unit-like tests; `dart` is the Dart S5 node HEAD 1.0.0-pre.1, `dart-0.14` the last
   * tagged Dart release v0.14.1 (cookie-only token), `lumeweb` the LumeWeb Go portal's S5 plugin.
   */
  profile?: ProfileName;
  /**
   * Account registration: `open` (anyone; what public portals are documented to run, the default)
   * or `invite` (Dart's `authTokensForAccountRegistration`: `Authorization: Bearer <one of
   * inviteTokens>` on both register requests). Giving `inviteTokens` implies `invite`. LumeWeb has
   * only open registration.
   */
  registration?: Registration;
  inviteTokens?: readonly string[];
  /**
   * Multiplies the real portals' waits (Dart's 60 s blob miss, ≈2 s first registry read of a missing
   * key, 200 ms for a stored one). Default 1 (the real lengths); tests use e.g. 0.005.
   */
  timeScale?: number;
  /** TCP port; 0 (default) picks a random free port. */
  port?: number;
  /** Bind address; default `127.0.0.1`. */
  host?: string;
  /** Persist blobs, registry and accounts here. Omitted = everything in memory. */
  dataDir?: string;
  /** Initial fault configuration (all zero by default). `seed` makes the fault decisions replayable. */
  faults?: FaultInput;
  /**
   * Random source for fault decisions (values in [0, 1)). Overrides `faults.seed`. Not used for
   * challenges, tokens or node keys, which always come from the system CSPRNG.
   */
  random?: () => number;
  /** `true` logs to stdout, a function receives each line; default silent. */
  log?: boolean | ((line: string) => void);
  /** `Access-Control-Allow-Origin` value; default `*`. */
  corsOrigin?: string;
  /**
   * Largest accepted upload in bytes on the `devnode` profile; default 16 MiB. Larger uploads get 413.
   * Portal profiles have their implementation's limit (Dart 34,000,000 B, v0.14.1 32 MiB).
   */
  maxBlobBytes?: number;
  /**
   * Hash every blob before serving it and at start-up, never serving a corrupt one (default true).
   * `false` simulates a malicious portal that serves whatever bytes are on disk (tamper tests).
   */
  verifyBlobsOnRead?: boolean;
  /** 32-byte Ed25519 seed of the P2P node key. Default: persisted in `dataDir`, else random. */
  nodeSeed?: Uint8Array;
}

export interface Devnode {
  /** Portal base URL, e.g. `http://127.0.0.1:5050`. */
  url: string;
  /** The profile this node reproduces. */
  profile: ProfileName;
  /** Peer URI, `ws://<nodeId z-base58>@127.0.0.1:5050/s5/p2p`. */
  p2pUrl: string;
  /** pk33 of the node key (the P2P node id). */
  nodeId: Uint8Array;
  stats(): DevnodeStats;
  setFaults(f: FaultInput): void;
  /** Current fault configuration. */
  faults(): FaultConfig;
  resetStats(): void;
  stop(): Promise<void>;
}
