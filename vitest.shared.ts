// Shared vitest settings. Workspace packages resolve to their TypeScript
// sources, so a test always exercises the code next to it (no stale dist/).
import { fileURLToPath } from 'node:url';
import { defineConfig, type ViteUserConfig } from 'vitest/config';

const src = (pkg: string, file = 'index.ts') =>
  fileURLToPath(new URL(`./packages/${pkg}/src/${file}`, import.meta.url));

export function packageConfig(name: string, extra: ViteUserConfig['test'] = {}) {
  return defineConfig({
    resolve: {
      alias: [
        { find: /^@s5chat\/s5$/, replacement: src('s5') },
        { find: /^@s5chat\/devnode$/, replacement: src('devnode') },
        { find: /^@s5chat\/sdk-core$/, replacement: src('sdk-core') },
      ],
    },
    test: {
      include: ['test/**/*.test.ts'],
      testTimeout: 30_000,
      hookTimeout: 30_000,
      reporters: ['default', 'json'],
      outputFile: { json: fileURLToPath(new URL(`./reports/${name}.json`, import.meta.url)) },
      ...extra,
    },
  });
}
