import { defineConfig } from 'tsup';
import { browserFiles } from './build/browser-files.js';

// No source maps: they were ~60 % of the tarball and point at sources the tarball does not ship.
// Both builds write into dist/ concurrently, so neither cleans it (the build script does, first).
export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: false,
    clean: false,
    target: 'es2022',
  },
  {
    // The `browser` export: the same API without Node-only code (build/browser-files.ts).
    entry: { 'index.browser': 'src/index.ts' },
    format: ['esm'],
    platform: 'browser',
    dts: false,
    sourcemap: false,
    clean: false,
    target: 'es2022',
    esbuildPlugins: [browserFiles],
  },
]);
