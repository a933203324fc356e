import './ui/weightlens-app.js';

// The page itself: no margin, and the app's background to the edges. Adopted
// as a constructed sheet: the CSP allows no inline <style>.
const page = new CSSStyleSheet();
page.replaceSync('html, body { margin: 0; padding: 0; } body { background: Canvas; }');
document.adoptedStyleSheets = [...document.adoptedStyleSheets, page];

// Offline use: the service worker precaches the app after the first visit (production builds only).
if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register(`${import.meta.env.BASE_URL}sw.js`, { scope: import.meta.env.BASE_URL }).catch((error: unknown) => {
      console.warn('offline mode unavailable:', error);
    });
  });
}
