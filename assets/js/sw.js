// Hearth's service worker, served from /sw.js so its scope is the whole site. It keeps
// one thing: the offline page and what it needs, shown when a page cannot be reached.
// Chat pages and messages are never cached: they are private and must be fresh.
'use strict';

var CACHE = 'hearth-offline-v1';
var OFFLINE = '/offline/';
var KEEP = [OFFLINE, '/static/css/app.css', '/static/js/theme.js', '/static/images/favicon.svg'];

self.addEventListener('install', function (event) {
  event.waitUntil(
    caches.open(CACHE)
      .then(function (cache) { return cache.addAll(KEEP); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener('activate', function (event) {
  event.waitUntil(
    caches.keys()
      .then(function (names) {
        return Promise.all(names.filter(function (n) { return n !== CACHE; })
          .map(function (n) { return caches.delete(n); }));
      })
      .then(function () { return self.clients.claim(); })
  );
});

self.addEventListener('fetch', function (event) {
  var request = event.request;
  if (request.method !== 'GET') return;
  if (request.mode === 'navigate') {
    event.respondWith(fetch(request).catch(function () { return caches.match(OFFLINE); }));
    return;
  }
  var url = new URL(request.url);
  if (url.origin === self.location.origin && KEEP.indexOf(url.pathname) >= 0) {
    event.respondWith(fetch(request).catch(function () { return caches.match(url.pathname); }));
  }
});

// Web Push: the server sends who wrote and where (never the words), encrypted for this
// browser; show it, and open (or focus) the room on a click.
self.addEventListener('push', function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = {}; }
  var url = typeof data.url === 'string' && data.url.charAt(0) === '/' ? data.url : '/';
  event.waitUntil(self.registration.showNotification(data.title || 'Hearth', {
    body: data.body || 'Something new in Hearth',
    tag: data.tag || undefined,
    icon: '/static/images/icon-192.png',
    badge: '/static/images/icon-192.png',
    data: { url: url }
  }));
});

self.addEventListener('notificationclick', function (event) {
  event.notification.close();
  var target = new URL((event.notification.data && event.notification.data.url) || '/', self.location.origin);
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then(function (windows) {
      for (var i = 0; i < windows.length; i++) {
        var w = windows[i];
        if (new URL(w.url).pathname === target.pathname && 'focus' in w) return w.focus();
      }
      return self.clients.openWindow(target.href);
    })
  );
});
