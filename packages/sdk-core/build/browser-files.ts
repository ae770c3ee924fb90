/**
 * esbuild plugin of the browser build (tsup.config.ts) and of the bundle-size test: the outbox's
 * `outboxDir` → file store module is replaced by its `.browser.ts` sibling, so Node-only code (the
 * file outbox store) stays out of browser bundles.
 */
import type { Plugin } from 'esbuild';
import { fileURLToPath } from 'node:url';

const FILE_STORE_FOR_BROWSER = fileURLToPath(new URL('../src/outbox/file-store-for.browser.ts', import.meta.url));

export const browserFiles: Plugin = {
  name: 's5chat-browser-files',
  setup(build) {
    build.onResolve({ filter: /^\.\/file-store-for\.js$/ }, (args) =>
      /[/\\]src[/\\]outbox[/\\]/.test(args.importer) ? { path: FILE_STORE_FOR_BROWSER } : undefined,
    );
  },
};
