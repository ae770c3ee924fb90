import { defineConfig } from 'tsup';

// Two builds: ESM with the library and the `s5chat-devnode` bin (they share one chunk), and the
// library alone as CJS — a CJS copy of the CLI would be an artefact nobody runs. The package's build
// script empties dist/ first (the two configs run in parallel, so neither may `clean`). No source
// maps: they were most of the tarball and point at sources it does not ship.
export default defineConfig([
  {
    // cli.ts keeps its #!/usr/bin/env node line.
    entry: ['src/index.ts', 'src/cli.ts'],
    format: ['esm'],
    dts: { entry: 'src/index.ts' },
    sourcemap: false,
    target: 'es2022',
  },
  {
    entry: ['src/index.ts'],
    format: ['cjs'],
    dts: { entry: 'src/index.ts' },
    sourcemap: false,
    target: 'es2022',
  },
]);
