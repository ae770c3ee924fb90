import { mergeConfig } from 'vitest/config';
import { packageConfig } from '../../vitest.shared.ts';

// happy-dom for React Testing Library; the SDK inside still talks to a real devnode over real sockets.
export default mergeConfig(
  packageConfig('react', { include: ['test/**/*.test.{ts,tsx}'], environment: 'happy-dom', setupFiles: ['test/setup.ts'] }),
  { oxc: { jsx: { runtime: 'automatic' } } },
);
