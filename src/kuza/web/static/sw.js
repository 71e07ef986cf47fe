/* Kuza service worker: a meeting sheet the agent opened once opens again without a
 * connection. Hand-written, no library.
 *
 * Served at /sw.js (so its scope is the whole site) by kuza.web.routes.offline, which
 * writes into VERSION a digest of the pinned files: changing one of them installs a new
 * worker with a new cache, and the old caches are deleted.
 * - Pinned static files (style, offline.js): from the cache, fetched at install.
 * - Meeting sheet pages (/groups/N/meetings/new): network first; each good answer is
 *   kept, and served when the network fails.
 * - Everything else (other pages, the API, posts): straight to the network, untouched.
 * Opening the login page (logging out, or a session that ended) forgets the kept
 * sheets: they hold member names. */
"use strict";
var VERSION = "__VERSION__";
var STATIC = "kuza-static-" + VERSION;
var PAGES = "kuza-pages-" + VERSION;
var PINNED = ["/static/style.css", "/static/offline.js"];
var SHEET = /^\/groups\/\d+\/meetings\/new$/;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(STATIC).then(function (cache) {
    return cache.addAll(PINNED);
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) {
      return k.indexOf("kuza-") === 0 && k !== STATIC && k !== PAGES;
    }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

function sheet(request, key) {
  return fetch(request).then(function (response) {
    if (response.ok && !response.redirected) {
      var copy = response.clone();
      caches.open(PAGES).then(function (cache) { return cache.put(key, copy); });
    }
    return response;
  }, function (offline) {
    return caches.open(PAGES).then(function (cache) { return cache.match(key); })
      .then(function (kept) { if (kept) { return kept; } throw offline; });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) { return; }
  if (PINNED.indexOf(url.pathname) >= 0) {
    event.respondWith(caches.match(url.pathname).then(function (kept) {
      return kept || fetch(request);
    }));
  } else if (request.mode === "navigate" && SHEET.test(url.pathname)) {
    event.respondWith(sheet(request, url.pathname));
  } else if (request.mode === "navigate" && url.pathname === "/login") {
    event.waitUntil(caches.delete(PAGES));
  }
});
