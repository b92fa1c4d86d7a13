/* The mobilisation page's live tally (core/web/admin_group_pages.py): polls
   the page's JSON every few seconds and writes the counts, the list of who
   has not answered and, once it has ended, the kept result into the page. */
(function () {
  "use strict";
  var config = document.getElementById("mobilisation-live");
  if (!config || config.dataset.open !== "yes" || !window.fetch) return;
  var data = config.dataset;

  function put(id, value) {
    var cell = document.getElementById(id);
    if (cell) cell.textContent = String(value);
  }

  function counts(prefix, row) {
    put(prefix + "-available", row.available);
    put(prefix + "-not_available", row.not_available);
    put(prefix + "-waiting", row.waiting);
  }

  function show(body) {
    counts("total", body.tally.total);
    body.tally.stations.forEach(function (row) { counts("station-" + row.id, row); });
    body.tally.teams.forEach(function (row) { counts("team-" + row.id, row); });
    var list = document.getElementById("waiting-list");
    if (list) {
      list.textContent = "";
      body.waiting.forEach(function (person) {
        var li = document.createElement("li");
        li.textContent = person.name + " · " + person.phone + " · " + (person.station || "");
        list.appendChild(li);
      });
    }
    var more = document.getElementById("waiting-more");
    if (more) {
      more.hidden = !body.waiting_more;
      more.textContent = data.more;
    }
    if (!body.open) {
      put("mobilisation-state", data.ended + " " + body.ended_at);
      var form = document.getElementById("end-form");
      if (form) form.hidden = true;
      var section = document.getElementById("waiting-section");
      if (section) section.hidden = true;
      clearInterval(timer);
    }
  }

  var timer = setInterval(function () {
    fetch(data.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) { if (body) show(body); })
      .catch(function () { /* try again at the next tick */ });
  }, parseInt(data.every, 10) || 5000);
})();
