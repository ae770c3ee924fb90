// @vitest-environment node
/**
 * Server rendering: importing the package and rendering its hooks touches no browser global, and
 * the markup shows the initial states (the server never reads from the node).
 */
import { describe, expect, it } from 'vitest';
import { renderToString } from 'react-dom/server';
import { MemoryBackend, createSdk } from '@s5chat/sdk-core';
import { S5ChatProvider, useConversation, useConversations, useSession } from '../src/index.js';
import { newSeed } from './support.js';

function Page({ id }: { id: string }) {
  const c = useConversation(id);
  const l = useConversations();
  const s = useSession();
  return (
    <p>
      {`${c.status}/${l.status}/${s.status}/${c.messages.length}`}
    </p>
  );
}

describe('SSR', () => {
  it('renders on the server without window', async () => {
    expect(typeof (globalThis as { window?: unknown }).window).toBe('undefined');
    const sdk = await createSdk({ backend: new MemoryBackend(), seedPhrase: newSeed(), storage: { crossTab: false } });
    const listeners = sdk.storage.listenerCount();
    const html = renderToString(
      <S5ChatProvider sdk={sdk}>
        <Page id="c1" />
      </S5ChatProvider>,
    );
    expect(html).toContain('loading/loading/idle/0');
    // The server renders once and never subscribes (effects do not run there).
    expect(sdk.storage.listenerCount()).toBe(listeners);
    await sdk.close();
  });
});
