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

  // The board session's timer, the same on the board and on the presentation screen: counts
  // down from the timebox (15:00) from the start the server rendered, then counts on in red
  // (+0:12). data-now is the server's time when the fragment was made: the difference with this
  // computer's clock is taken out, so a classroom PC with a wrong clock still counts right.
  // One ticker for every timer, so swapped-in panels need no set-up.
  var skews = new WeakMap();

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function timerText(left) {
    var seconds = Math.abs(left);
    var minutes = Math.floor(seconds / 60);
    return left < 0 ? "+" + minutes + ":" + pad(seconds % 60) : pad(minutes) + ":" + pad(seconds % 60);
  }

  function tick() {
    document.querySelectorAll("[data-timer]").forEach(function (timer) {
      var started = Date.parse(timer.getAttribute("data-started"));
      var limit = (parseInt(timer.getAttribute("data-minutes"), 10) || 15) * 60;
      var clock = timer.querySelector("[data-timer-clock]");
      if (isNaN(started) || !clock) {
        return;
      }
      if (!skews.has(timer)) {
        var now = Date.parse(timer.getAttribute("data-now"));
        skews.set(timer, isNaN(now) ? 0 : now - Date.now());
      }
      var elapsed = Math.max(0, Math.floor((Date.now() + skews.get(timer) - started) / 1000));
      var left = limit - elapsed;
      clock.textContent = timerText(left);
      timer.classList.toggle("timer--over", left < 0);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (document.querySelector("[data-timer]")) {
      tick();
    }
    setInterval(function () {
      if (!document.hidden) {
        tick();
      }
    }, 1000);
  });
  // A page that puts new content in place itself (presentation.js) asks for a tick at once.
  document.addEventListener("lk:timers", tick);
  document.addEventListener("htmx:afterSettle", tick);

  // A moved action leaves one column and joins another without the columns being re-rendered:
  // keep each column's count true to the cards in it.
  function recountColumns() {
    document.querySelectorAll(".action-column").forEach(function (column) {
      var count = column.querySelector("[data-column-count]");
      if (count) {
        count.textContent = String(column.querySelectorAll("li.board-card").length);
      }
    });
    // The actions' summary line (what a phone shows of the folded section).
    var late = document.querySelector("[data-fold-late]");
    document.querySelectorAll("[data-fold-count]").forEach(function (count) {
      var status = count.getAttribute("data-fold-count");
      var cards =
        status === "overdue"
          ? document.querySelectorAll(".action-column li.board-card--overdue")
          : document.querySelectorAll("#column-" + status + " > li.board-card");
      count.textContent = String(cards.length);
      if (status === "overdue" && late) {
        late.hidden = cards.length === 0;
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
