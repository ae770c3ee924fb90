import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';

const harnessDir = fileURLToPath(new URL('../..', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

test('client code never imports the devnode, and the client bundle holds no Node-only server code', () => {
  const sources = files(join(harnessDir, 'src')).filter((f) => /\.(ts|tsx)$/.test(f));
  for (const f of sources) {
    expect(readFileSync(f, 'utf8'), f).not.toMatch(/from ['"]@s5chat\/devnode['"]|require\(['"]@s5chat\/devnode/);
  }
  // The devnode's storage engine and CLI parser would only be in a chunk if the devnode were bundled.
  const chunks = files(join(harnessDir, '.next', 'static')).filter((f) => f.endsWith('.js'));
  expect(chunks.length).toBeGreaterThan(0);
  for (const f of chunks) {
    const js = readFileSync(f, 'utf8');
    expect(js.includes('classic-level'), f).toBe(false);
    expect(js.includes('commander'), f).toBe(false);
  }
});
