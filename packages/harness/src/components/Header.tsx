'use client';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useEffect, useState } from 'react';
import { identityPublicKeyHex, injectedWallet, newSeedPhrase } from '../lib/identity';
import { useHarness } from './HarnessProvider';
import { HealthBadge } from './HealthBadge';

const PORTAL_SOURCE = {
  devnode: 'local devnode started with the harness',
  env: 'from S5CHAT_PORTAL_URL',
  default: 'default local devnode address',
} as const;

/** Portal health, navigation and the identity controls. */
export function Header() {
  const { config, connection, connecting, restoring, connect, disconnect } = useHarness();
  const pathname = usePathname();
  const [seed, setSeed] = useState('');
  const [showSeed, setShowSeed] = useState(false);
  const [generated, setGenerated] = useState<string | null>(null);
  const [savedIt, setSavedIt] = useState(false);
  // Read after hydration: the server never sees window.ethereum.
  const [hasInjected, setHasInjected] = useState(false);
  useEffect(() => setHasInjected(!!injectedWallet()), []);

  return (
    <header className="header">
      <div className="row header-top">
        <strong className="brand">s5chat harness</strong>
        <nav className="row tabs">
          <Link href="/" className={pathname === '/' ? 'active' : ''} data-testid="nav-chat">Chat</Link>
          <Link href="/stress" className={pathname === '/stress' ? 'active' : ''} data-testid="nav-stress">Stress</Link>
        </nav>
        <span className="portal" data-testid="portal-info">
          {config ? (
            <>
              <HealthBadge /> portal <code data-testid="portal-url">{config.portalUrl}</code>{' '}
              <span className="muted small" data-testid="portal-source">
                ({PORTAL_SOURCE[config.portalSource]}
                {config.profile ? `, profile ${config.profile}` : ''}
                {config.portalLogin === 'proxy' ? ', login through /api/portal-login' : ''})
              </span>
            </>
          ) : (
            'Loading configuration…'
          )}
        </span>
      </div>
      <div className="row">
        {connection ? (
          <>
            <span className="badge ok" data-testid="identity-ready" data-kind={connection.kind}>
              Identity: {connection.label} ({connection.kind})
            </span>
            <span className="muted">
              S5 key{' '}
              <code data-testid="identity-public-key" data-key={identityPublicKeyHex(connection.identity)}>
                {identityPublicKeyHex(connection.identity).slice(0, 18)}…
              </code>
            </span>
            <button onClick={() => void disconnect()} data-testid="disconnect">Disconnect</button>
          </>
        ) : restoring ? (
          <span className="muted" data-testid="identity-restoring">
            {config ? 'Reconnecting the identity used last time…' : 'Loading configuration…'}
          </span>
        ) : (
          <>
            {hasInjected && (
              <button className="primary" disabled={!config || connecting} onClick={() => void connect('injected')} data-testid="connect-injected">
                Connect wallet
              </button>
            )}
            <button
              className={hasInjected ? '' : 'primary'}
              disabled={!config || connecting}
              onClick={() => void connect('dev-wallet')}
              data-testid="connect-dev-wallet"
            >
              {hasInjected ? 'Use local development wallet' : 'Connect wallet (local development wallet)'}
            </button>
            <button disabled={!config || connecting} onClick={() => setShowSeed((v) => !v)} data-testid="toggle-seed">
              Use a seed phrase
            </button>
            {connecting && <span className="muted" data-testid="connecting">Deriving S5 identity…</span>}
            {!hasInjected && !connecting && (
              <span className="muted small">No browser wallet found; the development wallet key stays in this browser.</span>
            )}
          </>
        )}
      </div>
      {!connection && !restoring && showSeed && (
        <div className="seed-box">
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
              autoComplete="off"
              size={50}
            />
            <button type="submit" className="primary" disabled={connecting || !seed.trim()}>Connect</button>
            <button
              type="button"
              onClick={() => {
                setGenerated(newSeedPhrase());
                setSavedIt(false);
              }}
              data-testid="generate-seed"
            >
              Generate a new seed phrase
            </button>
          </form>
          {generated && (
            <div className="notice" data-testid="generated-seed-box">
              <p>
                <strong>Write these 15 words down.</strong> They are the identity: anyone with them reads and writes
                its conversations. The harness never stores them; this box is the only time they are shown.
              </p>
              <p>
                <code className="secret" data-testid="generated-seed">{generated}</code>
              </p>
              <div className="row">
                <button type="button" onClick={() => void navigator.clipboard?.writeText(generated).catch(() => undefined)}>
                  Copy
                </button>
                <label>
                  <input type="checkbox" checked={savedIt} onChange={(e) => setSavedIt(e.target.checked)} data-testid="seed-saved" /> I wrote them
                  down
                </label>
                <button
                  type="button"
                  className="primary"
                  disabled={!savedIt || connecting}
                  onClick={() => {
                    const phrase = generated;
                    setGenerated(null);
                    setSeed('');
                    void connect('seed', phrase);
                  }}
                  data-testid="connect-generated-seed"
                >
                  Connect with it
                </button>
              </div>
            </div>
          )}
        </div>
      )}
    </header>
  );
}
