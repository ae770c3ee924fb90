'use client';
import { useHarness } from './HarnessProvider';

/**
 * Every error the page meets is shown here with its code and what to do.
 * The same error again is one card with a count; a later success of the same
 * kind of call removes it (it no longer describes the page's state).
 */
export function ErrorList() {
  const { errors, dismissError, clearErrors } = useHarness();
  if (errors.length === 0) return null;
  return (
    <section className="errors" data-testid="error-list" aria-live="polite">
      {errors.map((e) => (
        <div key={e.at + e.code} className="error" data-testid="error" data-code={e.code} data-context={e.context} data-count={e.count ?? 1}>
          <div>
            <strong data-testid="error-code">{e.code}</strong> during {e.context}: {e.message}
            {(e.count ?? 1) > 1 && (
              <span className="badge bad" data-testid="error-count">
                ×{e.count}
              </span>
            )}
          </div>
          <div>What to do: {e.advice}</div>
          {e.details && <div className="muted">Details: {e.details}</div>}
          <button onClick={() => dismissError(e.at)}>Dismiss</button>
        </div>
      ))}
      {errors.length > 1 && <button onClick={clearErrors}>Dismiss all</button>}
    </section>
  );
}
