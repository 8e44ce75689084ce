import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const root = import.meta.dirname;

/**
 * Writes .br and .gz siblings of the text assets, so the server (@fastify/static, preCompressed) sends them
 * compressed without compressing on every request.
 */
function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'escale-precompress',
    apply: 'build',
    configResolved(c) {
      outDir = c.build.outDir;
    },
    writeBundle(_options, bundle) {
      for (const name of Object.keys(bundle)) {
        if (!/\.(m?js|css|html|svg|json)$/.test(name)) continue;
        const file = join(outDir, name);
        const data = readFileSync(file);
        if (data.length < 1024) continue;
        writeFileSync(
          `${file}.br`,
          brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 10 } }),
        );
        writeFileSync(`${file}.gz`, gzipSync(data, { level: 9 }));
      }
    },
  };
}

// `npm run build:web` builds web/ into web/dist, which `escale serve` serves (src/web/plugin.ts).
// `npm run dev:web` serves web/ with hot reload and forwards the API to a running `escale serve` (port 8080).
const api = process.env.ESCALE_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root,
  publicDir: join(root, 'public'),
  plugins: [react(), precompress()],
  build: {
    outDir: join(root, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 1200, // the map library is one chunk of about 1 MB, loaded on the map page only
  },
  server: {
    proxy: Object.fromEntries(['/ngsi-ld', '/api', '/health', '/docs'].map((p) => [p, api])),
  },
});
