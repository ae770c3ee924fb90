'use client';
/**
 * A banner on every page while the devnode injects faults: a stress run (or
 * another tool) can leave them on, and a chat that fails 10 % of its writes
 * for no visible reason is a harness that lies.
 */
import { useCallback, useEffect, useState } from 'react';
import { NO_FAULTS, describeActiveFaults, getFaults, setFaults } from '../lib/devnode-admin';
import { useHarness } from './HarnessProvider';

const EVENT = 's5chat:faults-changed';

/** Tells the banner to re-read the faults now (after this page changed them). */
export function notifyFaultsChanged(): void {
  window.dispatchEvent(new Event(EVENT));
}

export function FaultsBanner() {
  const { config, reportError } = useHarness();
  const [active, setActive] = useState('');
  const portal = config?.devnode ? config.portalUrl : null;

  const read = useCallback(async () => {
    if (!portal) return;
    try {
      setActive(describeActiveFaults(await getFaults(portal)));
    } catch {
      // The node is down or not a devnode: the health badge says so; no banner.
      setActive('');
    }
  }, [portal]);

  useEffect(() => {
    if (!portal) return;
    void read();
    const t = setInterval(() => void read(), 3000);
    const onChange = () => void read();
    window.addEventListener(EVENT, onChange);
    return () => {
      clearInterval(t);
      window.removeEventListener(EVENT, onChange);
    };
  }, [portal, read]);

  if (!active || !portal) return null;
  return (
    <div className="banner warn" role="status" data-testid="faults-banner">
      <strong>Devnode faults are ON</strong>: {active}. Writes here are slowed, failed or raced on purpose.
      <button
        onClick={() =>
          void setFaults(portal, NO_FAULTS)
            .then(read)
            .catch((e: unknown) => reportError(e, 'clear devnode faults'))
        }
        data-testid="faults-banner-clear"
      >
        Clear faults
      </button>
    </div>
  );
}
