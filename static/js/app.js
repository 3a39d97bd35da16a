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

  // A server-rendered edit conflict or error summary takes focus once, so screen-reader and
  // keyboard users land on what went wrong (the fields keep what was typed).
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-conflict], [data-error-summary]");
    if (summary) {
      summary.focus();
    }
  });

  // An edit conflict swapped in by htmx (a 409: someone else saved meanwhile) takes focus as
  // well: it answers the person's own save, wherever their focus was.
  document.addEventListener("htmx:afterSettle", function (event) {
    var swapped = event.detail && event.detail.elt;
    if (!swapped || !swapped.querySelector || !document.contains(swapped)) {
      return;
    }
    var conflict = swapped.matches("[data-conflict]") ? swapped : swapped.querySelector("[data-conflict]");
    if (conflict) {
      conflict.focus();
    }
  });

  // A 404 the server drew as the page itself (leerkracht.http.gone_response: what was edited or
  // deleted is gone, said in place with what was typed) is swapped in like a 409. Any other 404
  // is not: the page stays as it was.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail && event.detail.xhr;
    if (xhr && xhr.status === 404 && xhr.getResponseHeader("X-Gone")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // The board session's 15-minute timer: counts down from the start the server rendered, then
  // counts on in red. One ticker for every timer, so swapped-in panels need no set-up.
  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function tick() {
    document.querySelectorAll("[data-timer]").forEach(function (timer) {
      var started = Date.parse(timer.getAttribute("data-started"));
      var limit = parseInt(timer.getAttribute("data-minutes"), 10) * 60;
      var clock = timer.querySelector("[data-timer-clock]");
      if (isNaN(started) || !clock) {
        return;
      }
      var elapsed = Math.max(0, Math.floor((Date.now() - started) / 1000));
      var left = limit - elapsed;
      var over = left < 0;
      var seconds = Math.abs(left);
      clock.textContent = (over ? "+" : "") + pad(Math.floor(seconds / 60)) + ":" + pad(seconds % 60);
      timer.classList.toggle("timer--over", over);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (document.querySelector("[data-timer]")) {
      tick();
    }
    setInterval(tick, 1000);
  });

  // A moved action leaves one column and joins another without the columns being re-rendered:
  // keep each column's count true to the cards in it.
  function recountColumns() {
    document.querySelectorAll(".action-column").forEach(function (column) {
      var count = column.querySelector("[data-column-count]");
      if (count) {
        count.textContent = String(column.querySelectorAll("li.board-card").length);
      }
    });
  }

  // The moved card's own form is deleted with it, so its settle event never reaches the
  // document; the out-of-band insert into the new column does.
  ["htmx:afterSettle", "htmx:oobAfterSwap"].forEach(function (name) {
    document.addEventListener(name, function () {
      setTimeout(recountColumns, 0);
    });
  });

  // After an htmx swap the element that had focus is usually gone. Put focus back where the
  // person was: the same card if it still exists (a moved action), else the swapped section's
  // heading, so keyboard and screen-reader users are not thrown back to the top of the page.
  // Only a swap that took focus away is repaired: a region refreshed by polling (live results)
  // while nobody had focus in the page must not pull focus, and the page, to itself.
  var lastCardId = null;
  var hadFocus = new WeakMap();

  document.addEventListener("htmx:beforeRequest", function (event) {
    var card = event.target.closest(
      "[id^='action-'], [id^='goal-'], [id^='obstacle-'], [id^='success-'], [id^='theme-']"
    );
    lastCardId = card ? card.id : null;
    if (event.detail && event.detail.xhr) {
      var active = document.activeElement;
      hadFocus.set(event.detail.xhr, Boolean(active && active !== document.body));
    }
  });

  function restoreFocus(event) {
    var xhr = event.detail && event.detail.xhr;
    if (xhr && hadFocus.get(xhr) === false) {
      return;
    }
    var active = document.activeElement;
    if (active && active !== document.body && document.contains(active)) {
      return;
    }
    var card = lastCardId && document.getElementById(lastCardId);
    var target = card ? card.querySelector("button, a[href], input:not([type=hidden]), textarea, select") : null;
    if (!target) {
      var swapped = event.detail && event.detail.elt;
      var section = swapped && document.contains(swapped) ? swapped : null;
      // What went wrong first, wherever it sits in the section; else the section's heading.
      target = section && (section.querySelector("[data-error-summary]") || section.querySelector("h2, h3"));
      if (target && !target.hasAttribute("tabindex")) {
        target.setAttribute("tabindex", "-1");
      }
    }
    if (target) {
      target.focus();
    }
  }

  ["htmx:afterSettle", "htmx:oobAfterSwap"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      setTimeout(function () {
        restoreFocus(event);
      }, 0);
    });
  });
})();
