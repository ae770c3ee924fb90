/**
 * The provider and useSdk: the SDK reaches hooks below it; without one, a typed error.
 */
import { describe, expect, it } from 'vitest';
import { renderHook } from '@testing-library/react';
import { MemoryBackend, createSdk, isS5ChatError } from '@s5chat/sdk-core';
import { MissingProviderError, useSdk } from '../src/index.js';
import { newSeed, wrapperFor } from './support.js';

describe('S5ChatProvider / useSdk', () => {
  it('gives hooks the provider’s SDK', async () => {
    const sdk = await createSdk({ backend: new MemoryBackend(), seedPhrase: newSeed(), storage: { crossTab: false } });
    const { result } = renderHook(() => useSdk(), { wrapper: wrapperFor(sdk) });
    expect(result.current).toBe(sdk);
    await sdk.close();
  });

  it('throws a typed NO_PROVIDER error without an SDK', () => {
    let caught: unknown;
    try {
      renderHook(() => useSdk());
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(MissingProviderError);
    expect(isS5ChatError(caught)).toBe(true);
    expect((caught as MissingProviderError).code).toBe('NO_PROVIDER');
    expect(MissingProviderError.is(caught)).toBe(true);
  });
});
