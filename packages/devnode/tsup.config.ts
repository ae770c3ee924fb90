import { defineConfig } from 'tsup';

export default defineConfig({
  // cli.ts is the `s5chat-devnode` bin; it keeps its #!/usr/bin/env node line.
  entry: ['src/index.ts', 'src/cli.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
});
