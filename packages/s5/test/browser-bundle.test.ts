// The core must run in browsers: bundling src/index.ts for the browser platform must succeed without
// any Node built-in, and the `ws` fallback must stay an opaque runtime import (never bundled).
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('browser bundle', () => {
  it('bundles for platform=browser with no Node built-ins and without the ws package', async () => {
    const result = await build({
      entryPoints: [fileURLToPath(new URL('../src/index.ts', import.meta.url))],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      logLevel: 'silent',
      metafile: true,
    });
    expect(result.errors).toEqual([]);
    const inputs = Object.keys(result.metafile!.inputs);
    expect(inputs.some((p) => p.includes('/ws/'))).toBe(false);
    expect(inputs.some((p) => p.startsWith('node:'))).toBe(false);
    const code = result.outputFiles![0]!.text;
    expect(code).not.toMatch(/from\s+["']node:/);
    expect(code).not.toMatch(/require\(["'](?:node:)?(?:fs|net|crypto|http|buffer)["']\)/);
    expect(code).toContain('PortalClient');
  });
});
