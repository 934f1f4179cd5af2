/* The staff form of a story, with JavaScript: the picked resource's columns fill the
   column lists (the Action API's datastore_search, as the signed-in editor), and the
   preview follows the form as it is typed (the form's own POST with preview=1, CSRF token
   included). Without JavaScript the form's buttons do the same on the server. */
(function () {
  "use strict";
  var form = document.getElementById("story-form");
  var picker = document.getElementById("story-picker");
  var preview = document.getElementById("story-preview");
  if (!form || !picker || !preview) { return; }

  function fillColumns(columns) {
    picker.querySelectorAll("select[data-picker-columns]").forEach(function (select) {
      var chosen = select.value;
      while (select.options.length > 1) { select.remove(1); }
      columns.forEach(function (name) {
        var option = new Option(name, name, false, name === chosen);
        select.add(option);
      });
    });
  }

  var resource = document.getElementById("pick-resource");
  resource.addEventListener("change", function () {
    if (!resource.value) { fillColumns([]); return; }
    var url = picker.dataset.api + "?limit=0&include_total=false&resource_id=" +
      encodeURIComponent(resource.value);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (answer) {
        if (!answer || !answer.success) { return; } /* not in the DataStore: the button */
        fillColumns(answer.result.fields.map(function (f) { return f.id; })
          .filter(function (id) { return id !== "_id"; }));
      })
      .catch(function () { /* the server-side button still works */ });
  });

  var timer = null;
  var asked = 0;
  function refresh() {
    var body = new FormData(form);
    body.append("preview", "1");
    var mine = ++asked;
    fetch(form.action, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html === null || mine !== asked) { return; } /* an older answer: dropped */
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.getElementById("story-preview");
        if (fresh) { preview.innerHTML = fresh.innerHTML; }
      })
      .catch(function () { /* the Preview button still works */ });
  }
  function later(event) {
    if (event.target && event.target.closest && event.target.closest("#story-picker")) {
      return; /* the picker changes nothing until its block is added */
    }
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 800);
  }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
})();
