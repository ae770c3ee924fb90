// Without a platform WebSocket and without a usable `ws` package, resolving an implementation must
// fail with a typed error (code VALIDATION), not a plain Error. `ws` is mocked to export nothing.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resolveWebSocket, ValidationError } from '../src/index.js';

vi.mock('ws', () => ({ default: undefined, WebSocket: undefined }));

const platform = (globalThis as { WebSocket?: unknown }).WebSocket;
afterEach(() => {
  (globalThis as { WebSocket?: unknown }).WebSocket = platform;
});

describe('resolveWebSocket with no implementation available', () => {
  it('throws ValidationError with code VALIDATION', async () => {
    delete (globalThis as { WebSocket?: unknown }).WebSocket;
    const error = await resolveWebSocket().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).code).toBe('VALIDATION');
    expect((error as ValidationError).issues[0]?.path).toBe('WebSocket');
  });

  it('returns an injected implementation without loading anything', async () => {
    const Fake = class {} as never;
    expect(await resolveWebSocket(Fake)).toBe(Fake);
  });
});
