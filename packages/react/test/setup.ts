// Real sockets to a real node: a first write (account registration, P2P connect) can take a few
// seconds on a loaded CI machine. waitFor polls until then; it asserts no timing.
import { afterEach } from 'vitest';
import { cleanup, configure } from '@testing-library/react';

configure({ asyncUtilTimeout: 10_000 });
// Without vitest globals RTL cannot register its own cleanup: unmount every test's hooks, so no
// watch outlives its test (and its SDK).
afterEach(() => cleanup());
