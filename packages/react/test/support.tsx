/**
 * Test support: a real devnode on loopback and SDKs talking to it over real sockets.
 */
import { StrictMode, type ReactNode } from 'react';
import { startDevnode } from '@s5chat/devnode';
import { generateSeedPhrase } from '@s5chat/s5';
import { createSdk, type Sdk } from '@s5chat/sdk-core';
import { S5ChatProvider } from '../src/index.js';

export type Node = Awaited<ReturnType<typeof startDevnode>>;

export async function startNode(): Promise<Node> {
  return startDevnode({ port: 0 });
}

/** One SDK = one device. `crossTab: false`: two SDKs in one process behave like two machines. */
export async function device(node: Node, seedPhrase: string, deviceId: string, extra: Partial<Parameters<typeof createSdk>[0]> = {}): Promise<Sdk> {
  return createSdk({ portalUrl: node.url, seedPhrase, deviceId, storage: { crossTab: false }, ...extra });
}

export function newSeed(): string {
  return generateSeedPhrase();
}

/** renderHook wrapper: the provider inside StrictMode (double mount/effects in development). */
export function wrapperFor(sdk: Sdk | null) {
  return function Wrapper({ children }: { children: ReactNode }) {
    return (
      <StrictMode>
        <S5ChatProvider sdk={sdk}>{children}</S5ChatProvider>
      </StrictMode>
    );
  };
}

let counter = 0;
export const uniqueId = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++counter}`;

/** An async token source the test releases token by token. */
export function controlledTokens() {
  const queue: string[] = [];
  let wake: (() => void) | null = null;
  let ended = false;
  async function* tokens() {
    for (;;) {
      while (queue.length) yield queue.shift()!;
      if (ended) return;
      await new Promise<void>((r) => (wake = r));
      wake = null;
    }
  }
  return {
    tokens: tokens(),
    push(...t: string[]) {
      queue.push(...t);
      wake?.();
    },
    end() {
      ended = true;
      wake?.();
    },
  };
}
