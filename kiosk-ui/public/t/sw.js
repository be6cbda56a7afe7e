// The ticket status page's service worker: shows the hospital's Web Push notifications (a ticket
// near the front, or called) and opens the ticket's page when one is tapped. Nothing is cached:
// a status page must never show an old position.
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('push', (event) => {
  let n = null;
  try {
    n = event.data ? event.data.json() : null;
  } catch {
    n = null;
  }
  if (!n || typeof n.code !== 'string') return;
  const lang = (self.navigator.language || 'vi').toLowerCase().startsWith('vi') ? 'vi' : 'en';
  event.waitUntil(
    self.registration.showNotification(n.title[lang], {
      body: n.body[lang],
      tag: `ticket-${n.code}`,
      renotify: true,
      requireInteraction: n.kind === 'called',
      icon: '/favicon.svg',
      data: { url: `/t/${n.code}` },
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = event.notification.data && event.notification.data.url;
  if (!url) return;
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((list) => {
      for (const c of list) if (new URL(c.url).pathname === url && 'focus' in c) return c.focus();
      return self.clients.openWindow(url);
    }),
  );
});
