'use client';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useEffect, useState } from 'react';
import { identityPublicKeyHex, injectedWallet } from '../lib/identity';
import { useHarness } from './HarnessProvider';

const PORTAL_SOURCE = {
  devnode: 'local devnode started with the harness',
  env: 'from S5CHAT_PORTAL_URL',
  default: 'default local devnode address',
} as const;

/** Portal banner, navigation and the "Connect wallet" controls. */
export function Header() {
  const { config, connection, connecting, connect, disconnect } = useHarness();
  const pathname = usePathname();
  const [seed, setSeed] = useState('');
  const [showSeed, setShowSeed] = useState(false);
  // Read after hydration: the server never sees window.ethereum.
  const [hasInjected, setHasInjected] = useState(false);
  useEffect(() => setHasInjected(!!injectedWallet()), []);

  return (
    <header className="header">
      <div className="row">
        <strong>s5chat harness</strong>
        <nav className="row">
          <Link href="/" className={pathname === '/' ? 'active' : ''} data-testid="nav-chat">Chat</Link>
          <Link href="/stress" className={pathname === '/stress' ? 'active' : ''} data-testid="nav-stress">Stress</Link>
        </nav>
        <span className="muted" data-testid="portal-info">
          {config ? (
            <>
              Connected to portal <code data-testid="portal-url">{config.portalUrl}</code>{' '}
              ({PORTAL_SOURCE[config.portalSource]})
            </>
          ) : (
            'Loading configuration…'
          )}
        </span>
      </div>
      <div className="row">
        {connection ? (
          <>
            <span data-testid="identity-ready" data-kind={connection.kind}>
              Identity: <code>{connection.label}</code> ({connection.kind})
            </span>
            <span className="muted">
              S5 key{' '}
              <code data-testid="identity-public-key" data-key={identityPublicKeyHex(connection.identity)}>
                {identityPublicKeyHex(connection.identity).slice(0, 18)}…
              </code>
            </span>
            <button onClick={() => void disconnect()} data-testid="disconnect">Disconnect</button>
          </>
        ) : (
          <>
            {hasInjected && (
              <button disabled={!config || connecting} onClick={() => void connect('injected')} data-testid="connect-injected">
                Connect wallet
              </button>
            )}
            <button disabled={!config || connecting} onClick={() => void connect('dev-wallet')} data-testid="connect-dev-wallet">
              {hasInjected ? 'Use local development wallet' : 'Connect wallet (local development wallet)'}
            </button>
            <button disabled={!config || connecting} onClick={() => setShowSeed((v) => !v)} data-testid="toggle-seed">
              Use a seed phrase
            </button>
            {showSeed && (
              <form
                className="row"
                onSubmit={(e) => {
                  e.preventDefault();
                  void connect('seed', seed);
                }}
              >
                <input
                  type="password"
                  placeholder="15-word S5 seed phrase"
                  value={seed}
                  onChange={(e) => setSeed(e.target.value)}
                  data-testid="seed-input"
                  size={50}
                />
                <button type="submit" disabled={connecting}>Connect</button>
              </form>
            )}
            {connecting && <span className="muted" data-testid="connecting">Deriving S5 identity…</span>}
            {!hasInjected && !connecting && (
              <span className="muted">No browser wallet found; the development wallet key stays in this browser.</span>
            )}
          </>
        )}
      </div>
    </header>
  );
}
