import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  // No source maps: they were ~60 % of each tarball (issue 15) and the output is readable as is.
  sourcemap: false,
  clean: true,
  target: 'es2022',
  // react and the SDK are peers: the app's single copy must be used, never a bundled one.
  external: ['react', '@s5chat/sdk-core'],
  // Hooks and context run only in client components (Next.js app router).
  banner: { js: "'use client';" },
});
