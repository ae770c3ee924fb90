// One install is enough: everything below comes from @s5chat/sdk-core alone (identity, phrase,
// errors, guards), and every common call works on `sdk` itself against a real devnode.
import { startDevnode } from '@s5chat/devnode';
import { Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSdk,
  generateSeedPhrase,
  InvalidSeedPhraseError,
  isS5ChatError,
  isValidSeedPhrase,
  RevisionConflictError,
  S5Identity,
  identityFromWallet,
  SDK_STORAGE_METHODS,
  StorageManager,
  validateSeedPhrase,
  ValidationError,
  type S5ChatErrorCode,
} from '../../src/index.js';

let node: Awaited<ReturnType<typeof startDevnode>>;
beforeAll(async () => {
  node = await startDevnode({ port: 0 });
});
afterAll(async () => {
  await node?.stop();
});

describe('the sdk facade', () => {
  it('puts every common call on sdk, bound to sdk.storage', async () => {
    const sdk = await createSdk({ portalUrl: node.url, seedPhrase: generateSeedPhrase(), lingerMs: 0 });
    for (const name of SDK_STORAGE_METHODS) {
      expect(typeof sdk[name], name).toBe('function');
      expect(typeof (StorageManager.prototype as unknown as Record<string, unknown>)[name], name).toBe('function');
    }
    const saved: string[] = [];
    const off = sdk.on('saved', (e) => saved.push(e.conversationId));

    const a = await sdk.appendMessage('facade', { role: 'user', content: 'hi' });
    expect(a.message.content).toBe('hi');
    const b = await sdk.appendMessages('facade', [{ role: 'assistant', content: 'hello' }, { role: 'user', content: 'bye' }]);
    expect(b.messages).toHaveLength(2);
    await sdk.saveConversation({ id: 'facade', messages: [{ id: 'extra', role: 'system', content: 'x' }] });
    await sdk.updateMetadata('facade', { title: 'Facade' });
    expect(sdk.pendingWrites()).toBe(0);
    await sdk.flush();

    const loaded = await sdk.loadConversation('facade');
    expect(loaded!.messages.map((m) => m.content)).toEqual(['hi', 'hello', 'bye', 'x']);
    expect(loaded!.metadata.title).toBe('Facade');
    const list = await sdk.listConversations({ limit: 10 });
    expect(list.items.map((i) => i.id)).toEqual(['facade']);
    expect(sdk.metrics().total.appends).toBeGreaterThanOrEqual(3);
    expect(saved).toContain('facade');
    off();

    await sdk.deleteConversation('facade');
    expect(await sdk.loadConversation('facade')).toBeNull();
    await sdk.close();
    await expect(sdk.appendMessage('facade', { role: 'user', content: 'late' })).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('refuses bad input with the typed error from sdk-core, nothing written', async () => {
    const sdk = await createSdk({ portalUrl: node.url, seedPhrase: generateSeedPhrase() });
    node.resetStats();
    const err = await sdk.appendMessage('bad id!', { role: 'bot', content: 5 } as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(isS5ChatError(err, 'VALIDATION')).toBe(true);
    expect((err as ValidationError).issues.map((i) => i.path)).toEqual(['conversationId']);
    expect(node.stats().uploads).toBe(0);
    const code: S5ChatErrorCode = (err as ValidationError).code;
    expect(code).toBe('VALIDATION');
    expect(RevisionConflictError.is(err)).toBe(false);
    await sdk.close();
  });
});

describe('identity from @s5chat/sdk-core alone', () => {
  it('generates and validates S5 phrases, and derives identities from a phrase or a wallet', async () => {
    const phrase = generateSeedPhrase();
    expect(isValidSeedPhrase(phrase)).toBe(true);
    expect(() => validateSeedPhrase(phrase)).not.toThrow();
    const fromPhrase = S5Identity.fromSeedPhrase(phrase);
    const sdk = await createSdk({ portalUrl: node.url, identity: fromPhrase });
    expect(sdk.identity).toBe(fromPhrase);
    await sdk.close();

    const wallet = new Wallet('0x' + '22'.repeat(32));
    const a = await identityFromWallet(wallet);
    const b = await createSdk({ portalUrl: node.url, identity: identityFromWallet(wallet) });
    expect(b.identity.signingKeyPair.publicKey).toEqual(a.signingKeyPair.publicKey);
    await b.close();
  });

  it('a 12-word (BIP-39) phrase says how to get an S5 phrase', async () => {
    const bip39 = 'legal winner thank year wave sausage worth useful legal winner thank yellow';
    const err = await createSdk({ portalUrl: node.url, seedPhrase: bip39 }).catch((e: unknown) => e);
    expect(InvalidSeedPhraseError.is(err)).toBe(true);
    expect((err as InvalidSeedPhraseError).problem).toBe('word-count');
    expect((err as Error).message).toContain('S5 phrases have 15 words');
    expect((err as Error).message).toContain('make one with generateSeedPhrase()');
  });
});
