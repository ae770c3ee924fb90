// Ambient types for the slice of @s5chat/devnode these tests use. @s5chat/s5 is the lowest layer and
// must not depend on devnode (that would be a package cycle); vitest resolves the real module through
// the alias in vitest.shared.ts, and this declaration keeps `tsc -p packages/s5` independent of
// devnode's build state.
declare module '@s5chat/devnode' {
  export interface FaultConfig {
    latencyMs: number;
    jitterMs: number;
    errorRate: number;
    conflictRate: number;
    staleReadRate: number;
    resetRate: number;
  }
  export interface DevnodeStats {
    requests: { total: number; byRoute: Record<string, number> };
    blobs: { count: number; bytes: number };
    uploads: number;
    registry: { sets: number; setsAccepted: number; setsRejected: number; gets: number };
    faults: { errors: number; conflicts: number; staleReads: number; resets: number };
    p2p: { connections: number; handshakes: number; framesIn: number; framesRejected: number };
  }
  export type ProfileName = 'devnode' | 'dart' | 'dart-0.14' | 'lumeweb';
  export interface Devnode {
    url: string;
    profile: ProfileName;
    p2pUrl: string;
    nodeId: Uint8Array;
    stats(): DevnodeStats;
    setFaults(f: Partial<FaultConfig> & { seed?: number }): void;
    resetStats(): void;
    stop(): Promise<void>;
  }
  export function startDevnode(opts?: {
    port?: number;
    host?: string;
    dataDir?: string;
    faults?: Partial<FaultConfig> & { seed?: number };
    log?: boolean | ((line: string) => void);
    random?: () => number;
    verifyBlobsOnRead?: boolean;
    profile?: ProfileName;
    registration?: 'open' | 'invite';
    inviteTokens?: string[];
    timeScale?: number;
    maxBlobBytes?: number;
  }): Promise<Devnode>;
}
