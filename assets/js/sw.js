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
