/* The report form (core/templates/incidents/report.html): the chosen
   category's extra fields show, "use my location" fills the coordinates,
   and as soon as the category and the place are known the likely duplicates
   are offered, so the reporter can comment on one instead. The submit button
   is disabled once pressed: a double tap sends one report. */
(function () {
  "use strict";
  var form = document.getElementById("incident-report");
  if (!form) return;
  var category = form.querySelector('select[name="category"]');
  var latitude = form.querySelector('input[name="latitude"]');
  var longitude = form.querySelector('input[name="longitude"]');
  var address = form.querySelector('input[name="address"]');
  var offered = document.getElementById("duplicates-live");

  function showFields() {
    form.querySelectorAll(".category-fields").forEach(function (set) {
      var on = set.dataset.category === category.value;
      set.hidden = !on;
      set.disabled = !on;
    });
  }

  var timer = null;
  function lookSoon() { clearTimeout(timer); timer = setTimeout(look, 400); }

  function look() {
    var where = latitude.value ? "&latitude=" + encodeURIComponent(latitude.value) + "&longitude=" + encodeURIComponent(longitude.value)
      : "&address=" + encodeURIComponent(address.value.trim());
    if (!category.value || (!latitude.value && !address.value.trim()) || !window.fetch) { offered.hidden = true; return; }
    fetch(form.dataset.duplicates + "?category=" + encodeURIComponent(category.value) + where, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        var list = offered.querySelector("ul");
        list.textContent = "";
        if (!body || !body.duplicates.length) { offered.hidden = true; return; }
        body.duplicates.forEach(function (item) {
          var li = document.createElement("li");
          var link = document.createElement("a");
          link.href = item.url;
          link.textContent = "#" + item.id;
          li.appendChild(link);
          li.appendChild(document.createTextNode(" " + item.description + " — " + item.place + (item.metres !== null ? " (" + item.metres + " m)" : "")));
          list.appendChild(li);
        });
        offered.hidden = false;
      })
      .catch(function () { offered.hidden = true; });
  }

  category.addEventListener("change", function () { showFields(); lookSoon(); });
  address.addEventListener("input", lookSoon);
  showFields();
  lookSoon();

  var locate = form.querySelector("[data-locate]");
  if ("geolocation" in navigator && locate) {
    var shown = form.querySelector(".located");
    locate.hidden = false;
    locate.addEventListener("click", function () {
      shown.textContent = locate.dataset.working;
      navigator.geolocation.getCurrentPosition(function (position) {
        latitude.value = position.coords.latitude.toFixed(6);
        longitude.value = position.coords.longitude.toFixed(6);
        shown.textContent = latitude.value + ", " + longitude.value;
        lookSoon();
      }, function () {
        shown.textContent = locate.dataset.failed;
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  }

  form.addEventListener("submit", function () {
    var button = form.querySelector('button[type="submit"]');
    setTimeout(function () { button.disabled = true; }, 0);  // after the browser has taken the form
  });
})();
