import { P2PClient, type RegistryEntry, type S5Backend } from '@s5chat/s5';
import type { LiveHubOptions } from './hub.js';
import { KeyFeed, type KeyFeedOptions } from './key-feed.js';

/**
 * Makes the KeyFeed of each watched key (a conversation, one of its device logs, the conversation
 * list) and owns what they share: one P2P socket per portal, opened with the first feed, since a
 * Dart node broadcasts every key's entries to every peer anyway.
 */
export class FeedFactory {
  readonly #o: LiveHubOptions;
  /** undefined = not decided yet; null = no P2P for this manager (transport, or no portal URL). */
  #p2p: P2PClient | undefined | null;

  constructor(o: LiveHubOptions) {
    this.#o = o;
  }

  /** A feed of `publicKey`, read and observed through the manager's registry view under `id`. */
  feed(publicKey: Uint8Array, id: string, onEntry: (e: RegistryEntry | null) => void): KeyFeed {
    const backend = this.#o.backend as S5Backend & { registrySubscribe?: KeyFeedOptions['subscribe'] };
    return new KeyFeed({
      publicKey,
      mode: this.#o.transport ?? 'auto',
      read: () => this.#o.readEntry(id, publicKey),
      p2p: this.#p2pClient(),
      subscribe: typeof backend.registrySubscribe === 'function' ? backend.registrySubscribe.bind(backend) : undefined,
      onEntry: (e) => {
        if (e) this.#o.observed(id, e);
        onEntry(e);
      },
      onError: (e) => this.#o.onError(id, e),
      pollMinMs: this.#o.pollMinMs ?? 1000,
      pollMaxMs: this.#o.pollMaxMs ?? 15_000,
    });
  }

  /** The shared P2P client's state, if one exists. */
  get p2pState(): string {
    return this.#p2p ? this.#p2p.state : 'none';
  }

  close(): void {
    this.#p2p?.close();
  }

  #p2pClient(): P2PClient | undefined {
    if (this.#p2p !== undefined) return this.#p2p ?? undefined;
    const mode = this.#o.transport ?? 'auto';
    const portalUrl = (this.#o.backend as { portalUrl?: unknown }).portalUrl;
    this.#p2p = null;
    if (mode !== 'auto' && mode !== 'p2p') return undefined;
    if (this.#o.p2pUrl === undefined && typeof portalUrl !== 'string') return undefined;
    this.#p2p = new P2PClient({
      ...(this.#o.p2pUrl !== undefined ? { url: this.#o.p2pUrl } : { portalUrl: portalUrl as string }),
      onError: (e) => this.#o.onError('', e),
    });
    return this.#p2p;
  }
}
