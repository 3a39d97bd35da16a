// leerKRACHT platform: the little behaviour htmx does not cover. No inline handlers anywhere
// (the CSP is script-src 'self'); everything hangs off data attributes and classes here.
(function () {
  "use strict";

  // Disclosure menus (<details data-menu>, e.g. the school switcher) are native and work
  // without JavaScript; this closes them on Escape (focus back on the summary) and when
  // the user clicks or tabs outside them, as people expect from a menu.
  function openMenus() {
    return document.querySelectorAll("details[data-menu][open]");
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    openMenus().forEach(function (menu) {
      menu.open = false;
      if (menu.contains(document.activeElement) || document.activeElement === document.body) {
        var summary = menu.querySelector("summary");
        if (summary) {
          summary.focus();
        }
      }
    });
  });

  function closeOutside(event) {
    openMenus().forEach(function (menu) {
      if (!menu.contains(event.target)) {
        menu.open = false;
      }
    });
  }

  document.addEventListener("click", closeOutside);
  document.addEventListener("focusin", closeOutside);

  // A server-rendered error summary takes focus once, so screen-reader and keyboard users
  // land on what went wrong (the fields keep what was typed).
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  });
})();
