import { describe, expect, it } from 'vitest';
import { Wallet } from 'ethers';
import { S5Identity, generateSeedPhrase, identityFromWallet } from '@s5chat/s5';
import { MemoryBackend, SessionManager, StorageManager, ValidationError, createSdk } from '../../src/index.js';

describe('createSdk', () => {
  it('builds storage, sessions and identity from a seed phrase (encryption on by default)', async () => {
    const backend = new MemoryBackend();
    const seedPhrase = generateSeedPhrase();
    const sdk = await createSdk({ seedPhrase, backend, deviceId: 'laptop' });
    expect(sdk.storage).toBeInstanceOf(StorageManager);
    expect(sdk.sessions).toBeInstanceOf(SessionManager);
    expect(sdk.storage.deviceId).toBe('laptop');
    const r = await sdk.saveConversation({ id: 'c', messages: [{ role: 'user', content: 'hi' }] });
    expect(r.encrypted).toBe(true);
    const other = await createSdk({ seedPhrase, backend });
    expect((await other.loadConversation('c'))!.messages[0]!.content).toBe('hi');
    const stranger = await createSdk({ seedPhrase: generateSeedPhrase(), backend });
    expect(await stranger.loadConversation('c')).toBeNull(); // another identity: other keys
    await Promise.all([sdk.close(), other.close(), stranger.close()]);
  });

  it('derives the identity from a wallet signer (same wallet ⇒ same conversations)', async () => {
    const backend = new MemoryBackend();
    const wallet = new Wallet('0x' + '11'.repeat(32));
    const a = await createSdk({ identity: identityFromWallet(wallet), backend, encryption: 'off' });
    const expected = await identityFromWallet(wallet);
    expect(a.identity.signingKeyPair.publicKey).toEqual(expected.signingKeyPair.publicKey);
    await a.storage.appendMessage('w', { role: 'user', content: 'from wallet' });
    const b = await createSdk({ identity: await identityFromWallet(wallet), backend });
    const loaded = (await b.loadConversation('w'))!;
    expect(loaded.encrypted).toBe(false);
    expect(loaded.messages[0]!.content).toBe('from wallet');
  });

  it('rejects bad options with a ValidationError', async () => {
    const bad = [{}, { seedPhrase: generateSeedPhrase() }, { seedPhrase: 'x', identity: S5Identity.fromEntropy(new Uint8Array(16)), portalUrl: 'http://a' }, { seedPhrase: generateSeedPhrase(), portalUrl: 'ftp://x' }, { seedPhrase: generateSeedPhrase(), backend: new MemoryBackend(), encryption: 'maybe' }];
    for (const o of bad) await expect(createSdk(o as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(createSdk({ seedPhrase: 'not a phrase', portalUrl: 'http://127.0.0.1:1' })).rejects.toMatchObject({ code: 'INVALID_SEED_PHRASE' });
    // The signer option of earlier versions is refused, pointing to identityFromWallet (never silently ignored).
    const wallet = new Wallet('0x' + '11'.repeat(32));
    const old = (await createSdk({ signer: wallet, backend: new MemoryBackend() } as never).catch((e: unknown) => e)) as ValidationError;
    expect(old).toBeInstanceOf(ValidationError);
    expect(old.issues.map((i) => i.path)).toEqual(['signer']);
    expect(old.issues[0]!.message).toContain('identityFromWallet');
    // A wallet that refuses to sign rejects createSdk with its own error, even when the options are bad too.
    const refused = Promise.reject(new Error('user rejected'));
    await expect(createSdk({ identity: refused, backend: new MemoryBackend() })).rejects.toThrow('user rejected');
    await expect(createSdk({ identity: Promise.reject(new Error('user rejected')), portalUrl: 'ftp://x' })).rejects.toBeInstanceOf(ValidationError);
  });

  it('close() flushes pending writes and refuses new ones', async () => {
    const sdk = await createSdk({ seedPhrase: generateSeedPhrase(), backend: new MemoryBackend({ faults: { latencyMs: 2 } }) });
    const p = sdk.storage.appendMessage('c', { role: 'user', content: 'in flight' });
    await sdk.close();
    expect((await p).revision).toBe(1);
    await expect(sdk.storage.appendMessage('c', { role: 'user', content: 'late' })).rejects.toMatchObject({ code: 'CLOSED' });
  });
});
