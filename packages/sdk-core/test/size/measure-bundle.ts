// Bundles a browser app the way its developer would (esbuild: bundle, minify, production, browser
// platform) and reports the gzip size plus which inputs the bytes come from (esbuild's metafile).
// The workspace packages resolve to their sources (like vitest's aliases), so the number is that of
// the code next to this file, never of a stale dist/; sdk-core's sources get the swaps of its
// `browser` export build (build/browser-files.ts).
import { build, type Metafile } from 'esbuild';
import { browserFiles } from '../../build/browser-files.js';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const pkgDir = fileURLToPath(new URL('../..', import.meta.url));
const packagesDir = fileURLToPath(new URL('../../..', import.meta.url));
const src = (pkg: string) => fileURLToPath(new URL(`../../../${pkg}/src/index.ts`, import.meta.url));

export interface Contributor {
  /** An npm package name, or a workspace source file relative to packages/. */
  name: string;
  /** Minified bytes this input adds to the output (before gzip). */
  bytes: number;
}

export interface BundleReport {
  minifiedBytes: number;
  gzipBytes: number;
  /** Largest first. */
  contributors: Contributor[];
  /** Every input path esbuild read (to check what must never be bundled). */
  inputs: string[];
  /** The inputs that put at least one byte into the output (read but tree-shaken away: not listed). */
  bundled: string[];
  code: string;
}

/** Package name for a node_modules path (pnpm's `.pnpm/<id>/node_modules/<name>` layout too). */
function contributorName(input: string): string {
  const nm = input.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const parts = input.slice(nm + 'node_modules/'.length).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  return input; // a workspace source file, relative to packages/ (absWorkingDir)
}

function contributors(meta: Metafile): Contributor[] {
  const by = new Map<string, number>();
  for (const out of Object.values(meta.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(out.inputs)) {
      const name = contributorName(input);
      by.set(name, (by.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...by].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
}

/** Bundle `entry` (TypeScript/ESM source text) as a browser app. */
export async function measureBrowserBundle(entry: string): Promise<BundleReport> {
  const result = await build({
    stdin: { contents: entry, resolveDir: pkgDir, loader: 'ts', sourcefile: 'app.ts' },
    bundle: true,
    minify: true,
    platform: 'browser',
    format: 'esm',
    define: { 'process.env.NODE_ENV': '"production"' },
    alias: { '@s5chat/sdk-core': src('sdk-core'), '@s5chat/s5': src('s5') },
    // What the package's `browser` export is built with (tsup.config.ts): Node-only modules swapped out.
    plugins: [browserFiles],
    absWorkingDir: packagesDir,
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.contents;
  return {
    minifiedBytes: code.length,
    gzipBytes: gzipSync(code).length,
    contributors: contributors(result.metafile),
    inputs: Object.keys(result.metafile.inputs),
    bundled: Object.values(result.metafile.outputs).flatMap((o) => Object.entries(o.inputs).filter(([, i]) => i.bytesInOutput > 0).map(([p]) => p)),
    code: result.outputFiles[0]!.text,
  };
}

/** A readable table of the top contributors (for the test log and its failure message). */
export function formatReport(r: BundleReport, top = 15): string {
  const lines = r.contributors
    .slice(0, top)
    .map((c) => `  ${String(c.bytes).padStart(8)} B  ${((100 * c.bytes) / r.minifiedBytes).toFixed(1).padStart(5)} %  ${c.name}`);
  return [`browser bundle: ${r.minifiedBytes} B minified, ${r.gzipBytes} B gzip; top contributors (minified):`, ...lines].join('\n');
}
