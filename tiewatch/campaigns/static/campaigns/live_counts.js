/* Petition pages: refresh the public counts and the progress toward the next milestone without a
   reload (GET /api/petitions/<slug>/counts, every data-refresh-seconds). The page shows the same counts
   without JavaScript; this only keeps them current. Served by the site itself (no CDN), no inline code. */
(function () {
  "use strict";
  var root = document.querySelector("[data-counts-url]");
  if (!root || !window.fetch) { return; }
  var url = root.getAttribute("data-counts-url");
  var seconds = Math.max(2, parseInt(root.getAttribute("data-refresh-seconds"), 10) || 15);
  var format = function (n) { return Number(n).toLocaleString("en-US"); };

  function setText(id, text) {
    var el = document.getElementById(id);
    if (el && el.textContent !== text) { el.textContent = text; }
  }

  function show(counts) {
    setText("confirmed-count", format(counts.confirmed));
    setText("verified-count", format(counts.verified_residents));
    setText("offline-count", format(counts.offline));
    setText("total-count", format(counts.total));
    var bar = document.getElementById("milestone-progress");
    var label = document.getElementById("milestone-label");
    if (!bar || !label) { return; }
    if (counts.next_milestone) {
      bar.max = counts.next_milestone;
      bar.value = counts.total;
      bar.textContent = counts.total + " of " + counts.next_milestone;
      setText("milestone-label", format(counts.total) + " of " + format(counts.next_milestone) +
        " signatures toward the next milestone");
    } else {
      bar.value = bar.max;
      setText("milestone-label", "Every milestone reached.");
    }
  }

  function refresh() {
    if (document.hidden) { return; }
    fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin", cache: "no-store"})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) { if (body && body.counts) { show(body.counts); } })
      .catch(function () { /* offline for a moment: the next refresh tries again */ });
  }

  window.setInterval(refresh, seconds * 1000);
  document.addEventListener("visibilitychange", refresh);
}());
