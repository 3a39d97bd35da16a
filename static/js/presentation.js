// The board's presentation and print pages: keep the classroom screen up to date, and the
// print button. No inline handlers (the CSP is script-src 'self');
// everything hangs off data attributes.
//
// Polling protocol (instruments.views.board.presentation_content):
// - every 3 s GET data-poll-url with If-None-Match: <last ETag> and HX-Request: true
//   (cache: "no-store", credentials: "same-origin", redirect: "manual");
// - 304: nothing changed, nothing to do;
// - 200: the partial; it becomes the container's content and its ETag header the next
//   If-None-Match;
// - logged out (a redirect, 401/403, or an HX-Redirect header): stop and say so;
// - 404: the board is gone or out of reach: stop and say so;
// - a network error or any other answer counts as an error; after 3 in a row the pace drops
//   to every 15 s until an answer comes through again;
// - never while the tab is hidden: stop on hidden, ask at once when visible again.
(function () {
  "use strict";

  var INTERVAL_MS = 3000;
  var BACKOFF_MS = 15000;
  var ERRORS_BEFORE_BACKOFF = 3;

  function poller(container) {
    var url = container.getAttribute("data-poll-url");
    var etag = container.getAttribute("data-etag") || "";
    var errors = 0;
    var timer = null;
    var busy = false;
    var stopped = false;

    function clear() {
      if (timer !== null) {
        window.clearTimeout(timer);
        timer = null;
      }
    }

    function schedule(delay) {
      clear();
      if (!stopped && !document.hidden) {
        timer = window.setTimeout(poll, delay);
      }
    }

    function stop(reason, loginUrl) {
      stopped = true;
      clear();
      showNotice(reason, loginUrl);
    }

    function poll() {
      timer = null;
      if (stopped || busy || document.hidden) {
        return;
      }
      busy = true;
      var headers = { "HX-Request": "true", "HX-Current-URL": window.location.href };
      if (etag) {
        headers["If-None-Match"] = etag;
      }
      window
        .fetch(url, { headers: headers, cache: "no-store", credentials: "same-origin", redirect: "manual" })
        .then(function (response) {
          var redirect = response.headers.get("HX-Redirect");
          if (
            response.type === "opaqueredirect" ||
            redirect ||
            response.status === 401 ||
            response.status === 403
          ) {
            stop("logged-out", redirect);
            return null;
          }
          if (response.status === 404) {
            stop("gone");
            return null;
          }
          if (response.status === 304) {
            errors = 0;
            return null;
          }
          if (response.status !== 200) {
            throw new Error("HTTP " + response.status);
          }
          return response.text().then(function (html) {
            errors = 0;
            etag = response.headers.get("ETag") || etag;
            container.setAttribute("data-etag", etag);
            container.innerHTML = html;
            tick();
          });
        })
        .catch(function () {
          errors += 1;
        })
        .then(function () {
          busy = false;
          schedule(errors >= ERRORS_BEFORE_BACKOFF ? BACKOFF_MS : INTERVAL_MS);
        });
    }

    document.addEventListener("visibilitychange", function () {
      if (document.hidden) {
        clear();
      } else if (!stopped) {
        poll();
      }
    });

    schedule(INTERVAL_MS);
  }

  function showNotice(reason, loginUrl) {
    var region = document.querySelector("[data-poll-notice]");
    var message = document.querySelector('template[data-poll-message="' + reason + '"]');
    if (!region || !message) {
      return;
    }
    var content = message.content.cloneNode(true);
    var link = content.querySelector("[data-login-link]");
    if (link && loginUrl) {
      link.setAttribute("href", loginUrl);
    }
    region.replaceChildren(content);
  }

  // The session clock is app.js's (the same timer as on the board): ask it to tick now.
  function tick() {
    document.dispatchEvent(new CustomEvent("lk:timers"));
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-poll-url]").forEach(poller);

    // The print view's button: shown only where it works (it needs JavaScript).
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        window.print();
      });
    });
  });
})();
