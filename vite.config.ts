/// <reference types="vitest/config" />
import { defineConfig, type Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { CONTENT_SECURITY_POLICY, netlifyHeadersFile, SECURITY_HEADERS } from './src/security-headers.js';

/** Writes the security headers for static hosts that read a `_headers` file (Netlify, Cloudflare Pages). */
function staticHostHeaders(): Plugin {
  return {
    name: 'weightlens-static-host-headers',
    apply: 'build',
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: '_headers', source: netlifyHeadersFile() });
    },
  };
}

/**
 * The CSP as a <meta> tag too, from the same constant (a page opened from a
 * host that drops headers is still bound). frame-ancestors is header-only.
 */
function cspMetaTag(): Plugin {
  const policy = CONTENT_SECURITY_POLICY.split('; ')
    .filter((d) => !d.startsWith('frame-ancestors'))
    .join('; ');
  return {
    name: 'weightlens-csp-meta',
    transformIndexHtml: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: policy }, injectTo: 'head-prepend' }],
  };
}

export default defineConfig({
  build: {
    target: 'es2022',
    // The wasm must stay a file: inlined as base64 it could not be compiled while streaming.
    assetsInlineLimit: (file) => (file.endsWith('.wasm') ? false : undefined),
  },
  worker: { format: 'es' },
  server: { headers: { ...SECURITY_HEADERS } },
  preview: { headers: { ...SECURITY_HEADERS } },
  plugins: [
    cspMetaTag(),
    staticHostHeaders(),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.ts',
      injectRegister: false, // src/main.ts registers it
      manifest: {
        name: 'Weightlens — look inside model files before loading them',
        short_name: 'Weightlens',
        description: 'Checks machine-learning model files (pickle, PyTorch, safetensors, ONNX …) for code that runs when they are loaded, on this machine only.',
        start_url: '.',
        scope: '.',
        display: 'standalone',
        background_color: '#ffffff',
        theme_color: '#0969da',
        icons: [
          { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: 'icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
          { src: 'favicon.svg', sizes: 'any', type: 'image/svg+xml' },
        ],
      },
      includeManifestIcons: false, // the glob below already takes them
      injectManifest: {
        // The app shell, the workers, the wasm and the icons: everything the offline app needs.
        globPatterns: ['**/*.{html,js,css,wasm,svg,png,webmanifest}'],
        maximumFileSizeToCacheInBytes: 8 * 1024 * 1024,
      },
    }),
  ],
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
  },
});
