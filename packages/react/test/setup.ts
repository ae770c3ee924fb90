// Real sockets to a real node: a first write (account registration, P2P connect) can take a few
// seconds on a loaded CI machine. waitFor polls until then; it asserts no timing.
import { configure } from '@testing-library/react';

configure({ asyncUtilTimeout: 10_000 });
