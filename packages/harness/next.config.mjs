// Next.js config for the s5chat harness.
//
// The SDK runs in the browser, so the workspace libraries are bundled into the
// client. @s5chat/devnode is a Node server and is only ever imported by the
// Playwright global setup; nothing under src/ may import it (the e2e suite
// checks the client chunks for it).
import { readFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  transpilePackages: ['@s5chat/s5', '@s5chat/sdk-core', '@s5chat/react'],
  // Lint and typecheck are separate turbo tasks (`tsc --noEmit`); running them
  // again inside `next build` only costs CPU on a 2-core machine.
  eslint: { ignoreDuringBuilds: true },
  typescript: { ignoreBuildErrors: true },
  // Same sources → same build id, so two builds of one tree are identical and
  // turbo's cache stays valid.
  generateBuildId: async () => `s5chat-harness-${version}`,
  webpack(config, { isServer, webpack }) {
    if (!isServer) {
      // The s5 client keeps Node-only helpers (the `ws` WebSocket for Node,
      // node: built-ins) behind dynamic imports that never run in a browser.
      // Resolve them to empty modules in the client bundle instead of failing.
      config.plugins.push(
        new webpack.NormalModuleReplacementPlugin(/^node:/, (resource) => {
          resource.request = resource.request.replace(/^node:/, '');
        }),
      );
      config.resolve.fallback = {
        ...config.resolve.fallback,
        ws: false,
        fs: false,
        'fs/promises': false,
        path: false,
        os: false,
        crypto: false,
        net: false,
        tls: false,
        http: false,
        https: false,
        url: false,
        stream: false,
        zlib: false,
        worker_threads: false,
        child_process: false,
      };
    }
    return config;
  },
};

export default nextConfig;
