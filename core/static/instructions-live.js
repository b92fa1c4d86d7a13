/* New instructions without reloading, on "my instructions" (see
   core/web/instruction_stream.py): an EventSource on the station's stream (a
   JSON poll where there is none); each new instruction goes to the top of the
   list, the menu count follows, and an urgent one shows the banner. */
(function () {
  "use strict";
  var config = document.getElementById("instructions-live");
  if (!config) return;
  var data = config.dataset;
  var last = parseInt(data.after, 10) || 0;

  function setCount(unread) {
    var links = document.querySelectorAll('nav.menu a[href="' + data.menuHref + '"]');
    for (var i = 0; i < links.length; i++) {
      links[i].textContent = data.menuLabel + (unread ? " (" + unread + ")" : "");
    }
    var count = document.getElementById("unread-count");
    if (count) count.textContent = String(unread);
  }

  function paragraph(className, text) {
    var p = document.createElement("p");
    if (className) p.className = className;
    p.textContent = text;
    return p;
  }

  function csrfToken() {
    var field = document.querySelector('input[name="csrf_token"]');
    return field ? field.value : "";
  }

  function listItem(item) {
    var li = document.createElement("li");
    li.id = "instruction-" + item.id;
    li.className = "instruction unread fresh" + (item.urgent ? " urgent" : "");
    var head = document.createElement("p");
    if (item.urgent) {
      var badge = document.createElement("span");
      badge.className = "badge urgent";
      badge.textContent = item.priority_label;
      head.appendChild(badge);
      head.appendChild(document.createTextNode(" "));
    }
    var group = document.createElement("span");
    group.className = "group";
    group.textContent = item.group;
    head.appendChild(group);
    li.appendChild(head);
    li.appendChild(paragraph("instruction-text", item.text));
    if (item.place) li.appendChild(paragraph("place", data.place + item.place));
    if (item.deadline) li.appendChild(paragraph("deadline", data.by + item.deadline));
    li.appendChild(paragraph("", item.created_at));
    if (!item.acknowledged) {
      var form = document.createElement("form");
      form.method = "post";
      form.action = item.acknowledge_url;
      var token = document.createElement("input");
      token.type = "hidden";
      token.name = "csrf_token";
      token.value = csrfToken();
      var button = document.createElement("button");
      button.type = "submit";
      button.className = "acknowledge";
      button.textContent = data.acknowledge;
      form.appendChild(token);
      form.appendChild(button);
      li.appendChild(form);
    }
    return li;
  }

  function show(item) {
    if (!item || item.id <= last) return;
    last = item.id;
    var list = document.getElementById("instruction-list");
    if (list && !document.getElementById("instruction-" + item.id)) {
      list.insertBefore(listItem(item), list.firstChild);
      list.hidden = false;
      var none = document.getElementById("no-instructions");
      if (none) none.hidden = true;
    }
    if (item.urgent) {
      var banner = document.getElementById("urgent-banner");
      if (banner) {
        banner.querySelector(".urgent-text").textContent = item.text;
        banner.hidden = false;
      }
    }
    if (typeof item.unread === "number") setCount(item.unread);
  }

  if (window.EventSource) {
    var source = new EventSource(data.stream + "?after=" + last);
    source.onmessage = function (event) {
      try { show(JSON.parse(event.data)); } catch (ignored) { /* a broken event is skipped */ }
    };
  } else if (window.fetch) {
    setInterval(function () {
      fetch(data.poll + "?after=" + last, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (body) {
          if (!body) return;
          body.instructions.forEach(function (item) { item.unread = body.unread; show(item); });
        })
        .catch(function () { /* try again at the next tick */ });
    }, 10000);
  }
})();
