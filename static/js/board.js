// The board at a glance. On a phone (narrower than 48em) each section folds to its summary line
// and opens on tap; the session's steps (and each section's "verder" link) open the section they
// name and scroll to it, closing the one before, so the walk-through jumps from section to
// section. The sections are <details data-fold open> in the HTML: without JavaScript, and on a
// laptop, every section is open. No inline handlers (the CSP is script-src 'self').
(function () {
  "use strict";

  var phone = window.matchMedia("(max-width: 47.99em)");

  function folds() {
    return document.querySelectorAll("details[data-fold]");
  }

  function foldOf(element) {
    if (!element) {
      return null;
    }
    return element.querySelector("details[data-fold]") || element.closest("details[data-fold]");
  }

  // The section the address points at (#actions, #action-12): it stays open.
  function targeted() {
    var id = window.location.hash.slice(1);
    return id ? foldOf(document.getElementById(decodeURIComponent(id))) : null;
  }

  // A section showing what went wrong (a form's errors, an edit conflict) stays open too.
  function needsAttention(fold) {
    return fold.querySelector("[data-error-summary], [data-conflict], .field--error, [aria-invalid='true']") !== null;
  }

  // Wide, a section's heading is no toggle (see the click handler): no stop for the keyboard
  // either. Also for a section htmx just put in place.
  function keyStops() {
    document.querySelectorAll("details[data-fold] > summary").forEach(function (summary) {
      if (phone.matches) {
        summary.removeAttribute("tabindex");
      } else {
        summary.setAttribute("tabindex", "-1");
      }
    });
  }

  function fit() {
    var keep = targeted();
    folds().forEach(function (fold) {
      fold.open = !phone.matches || fold === keep || needsAttention(fold);
    });
    keyStops();
  }

  function go(section) {
    var fold = foldOf(section);
    if (phone.matches) {
      folds().forEach(function (other) {
        if (other !== fold && !needsAttention(other)) {
          other.open = false;
        }
      });
    }
    if (fold) {
      fold.open = true;
    }
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", "#" + section.id);
    }
    section.scrollIntoView({ block: "start" });
    var heading = section.querySelector("h2");
    if (heading) {
      if (!heading.hasAttribute("tabindex")) {
        heading.setAttribute("tabindex", "-1");
      }
      heading.focus({ preventScroll: true });
    }
  }

  document.addEventListener("click", function (event) {
    var step = event.target.closest("a[data-step]");
    if (step) {
      var section = document.getElementById(step.getAttribute("href").slice(1));
      if (section) {
        event.preventDefault();
        go(section);
      }
      return;
    }
    // On a laptop the sections stand side by side and stay open: their heading is no toggle.
    var summary = event.target.closest("details[data-fold] > summary");
    if (summary && !phone.matches) {
      event.preventDefault();
    }
  });

  window.addEventListener("hashchange", function () {
    var fold = targeted();
    if (fold) {
      fold.open = true;
    }
  });

  ["htmx:afterSettle", "htmx:oobAfterSwap"].forEach(function (name) {
    document.addEventListener(name, keyStops);
  });

  if (phone.addEventListener) {
    phone.addEventListener("change", fit);
  }
  document.addEventListener("DOMContentLoaded", fit);
})();
