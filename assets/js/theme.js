// Hearth theme bootstrap. Load synchronously in <head> (no defer/async),
// before the stylesheet paints, so a dark page never flashes light.
//
// localStorage["hearth-theme"] = "dark" | "light" is an explicit choice
// (written by the themeToggle component in app.js); when it is absent the
// page follows the system's prefers-color-scheme, live. Whenever this script
// changes the class it dispatches `hearth:themechange` ({detail: {dark}}) on
// document.
(function () {
  'use strict';

  var KEY = 'hearth-theme';
  var root = document.documentElement;
  var media = null;
  try {
    media = window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;
  } catch (e) {
    media = null;
  }

  function stored() {
    try {
      var v = window.localStorage.getItem(KEY);
      return v === 'dark' || v === 'light' ? v : null;
    } catch (e) {
      return null; // storage disabled (privacy mode, sandboxed iframe, ...)
    }
  }

  function apply() {
    var choice = stored();
    var dark = choice ? choice === 'dark' : !!(media && media.matches);
    if (root.classList.contains('dark') !== dark) {
      root.classList.toggle('dark', dark);
      // app.js's themeToggle listens to keep its `dark` state in sync.
      try {
        document.dispatchEvent(new CustomEvent('hearth:themechange', { detail: { dark: dark } }));
      } catch (e) { /* very old browser: no CustomEvent constructor */ }
    }
  }

  apply();

  // Follow system changes only while the user has made no explicit choice.
  if (media) {
    var onChange = function () {
      if (!stored()) apply();
    };
    if (media.addEventListener) {
      media.addEventListener('change', onChange);
    } else if (media.addListener) {
      media.addListener(onChange); // Safari < 14
    }
  }

  // Another tab changed the choice: follow it.
  window.addEventListener('storage', function (e) {
    if (e.key === null || e.key === KEY) apply();
  });
})();
