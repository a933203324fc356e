// The service worker: precaches the app shell, the workers and the wasm, so
// after one visit the app loads and analyses files with the network off. It
// serves only what it precached and adds the security headers to it, so the
// offline app is bound by the same CSP as the online one.
/// <reference lib="webworker" />
import { clientsClaim } from 'workbox-core';
import { addPlugins, cleanupOutdatedCaches, precacheAndRoute } from 'workbox-precaching';
import { SECURITY_HEADERS } from './security-headers.js';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: (string | { url: string; revision: string | null })[] };

// Registration is manual (src/main.ts), so take over at once rather than on the next visit.
void self.skipWaiting();
clientsClaim();

addPlugins([
  {
    cachedResponseWillBeUsed: async ({ cachedResponse }) => {
      if (!cachedResponse) return cachedResponse;
      const headers = new Headers(cachedResponse.headers);
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) headers.set(name, value);
      return new Response(cachedResponse.body, { status: cachedResponse.status, statusText: cachedResponse.statusText, headers });
    },
  },
]);
cleanupOutdatedCaches();
precacheAndRoute(self.__WB_MANIFEST);
