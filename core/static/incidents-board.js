/* The incident board, live (see core/web/incident_stream.py): on each
   change the page re-fetches its own filtered list and swaps it in, so the
   filters live on the server only. An EventSource where there is one, else a
   JSON poll. */
(function () {
  "use strict";
  var config = document.getElementById("incidents-live");
  if (!config) return;
  var data = config.dataset;
  var last = parseInt(data.after, 10) || 0;
  var fetching = false, again = false;

  function refresh() {
    if (fetching) { again = true; return; }
    fetching = true;
    fetch(data.rows, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html !== null) document.getElementById("incident-board").innerHTML = html;
      })
      .catch(function () { /* the next change tries again */ })
      .then(function () {
        fetching = false;
        if (again) { again = false; refresh(); }
      });
  }

  if (window.EventSource) {
    var source = new EventSource(data.stream + "?after=" + last);
    source.onmessage = function (event) {
      var id = parseInt(event.lastEventId, 10);
      if (id > last) { last = id; refresh(); }
    };
  } else if (window.fetch) {
    setInterval(function () {
      fetch(data.poll + "?after=" + last, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (body) {
          if (body && body.last > last) { last = body.last; refresh(); }
        })
        .catch(function () { /* try again at the next tick */ });
    }, 5000);
  }
})();
