/**
 * <S5ChatProvider sdk={sdk}> makes one SDK instance available to the hooks below it.
 * No browser globals are touched here or at import time, so it renders on the server too.
 */
import { createContext, createElement, useContext, type ReactElement, type ReactNode } from 'react';
import type { Sdk } from '@s5chat/sdk-core';
import { MissingProviderError } from './errors.js';

const SdkContext = createContext<Sdk | null>(null);
SdkContext.displayName = 'S5ChatSdk';

export interface S5ChatProviderProps {
  /** The SDK from createSdk(); null while the app is not connected yet (hooks then report 'idle'). */
  sdk: Sdk | null;
  children?: ReactNode;
}

export function S5ChatProvider({ sdk, children }: S5ChatProviderProps): ReactElement {
  return createElement(SdkContext.Provider, { value: sdk }, children);
}

/** The provider's SDK; throws MissingProviderError (code NO_PROVIDER) when there is none. */
export function useSdk(): Sdk {
  const sdk = useContext(SdkContext);
  if (!sdk) throw new MissingProviderError('useSdk()');
  return sdk;
}

/** The provider's SDK or null (not connected yet / no provider): the data hooks go 'idle'. */
export function useOptionalSdk(): Sdk | null {
  return useContext(SdkContext);
}
