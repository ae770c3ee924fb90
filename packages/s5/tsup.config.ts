import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  // No source maps: they were ~60 % of the tarball and point at sources the tarball does not ship.
  sourcemap: false,
  clean: true,
  target: 'es2022',
});
