import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
// The repository root: the app's dependencies are installed there (npm workspaces), so the standalone output traces
// them from there and mirrors the layout (.next/standalone/examples/next-frontend/server.js).
const root = join(here, '..', '..');

/** @type {import('next').NextConfig} */
export default {
  output: 'standalone',
  outputFileTracingRoot: root,
  turbopack: { root },
  poweredByHeader: false,
};
