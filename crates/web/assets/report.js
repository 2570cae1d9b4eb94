// Autosave of a report draft (progressive enhancement: the form works without it).
// A few seconds after the last change, the form's values are sent to the API;
// failures (a weak connection) are retried on the next change or every 30 s, and
// the form keeps what was typed, so nothing is lost before the server has it.
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form || !form.dataset.report) return;
  var status = document.getElementById("autosave-status");
  var timer = null;
  var dirty = false;
  var busy = false;

  function content() {
    var body = { values: {}, sections: {}, explanations: {} };
    var fields = form.querySelectorAll("input[name], textarea[name]");
    for (var i = 0; i < fields.length; i++) {
      var name = fields[i].name;
      var value = fields[i].value;
      if (name.indexOf("v:") === 0) body.values[name.slice(2)] = value;
      else if (name.indexOf("s:") === 0) body.sections[name.slice(2)] = value;
      else if (name.indexOf("x:") === 0) body.explanations[name.slice(2)] = value;
    }
    return body;
  }

  function say(text) {
    if (status) status.textContent = text;
  }

  function save() {
    if (busy || !dirty) return;
    busy = true;
    dirty = false;
    var request = new XMLHttpRequest();
    request.open("PUT", "/api/v1/reports/" + form.dataset.report + "/draft");
    request.setRequestHeader("Content-Type", "application/json");
    request.setRequestHeader("X-CSRF-Token", form.dataset.csrf);
    var revision = document.getElementById("revision");
    if (revision) request.setRequestHeader("If-Match", '"' + revision.value + '"');
    request.onload = function () {
      busy = false;
      if (request.status === 200) {
        // The next save is made from this one.
        var etag = (request.getResponseHeader("ETag") || "").replace(/"/g, "");
        if (revision && etag) revision.value = etag;
        var now = new Date();
        var hh = ("0" + now.getHours()).slice(-2), mm = ("0" + now.getMinutes()).slice(-2);
        say(form.dataset.saved + " " + hh + ":" + mm);
      } else if (request.status === 409) {
        // Someone else saved in between: nothing is overwritten; the Save
        // button shows this user's entries over theirs to check and save again.
        say(form.dataset.conflict);
      } else {
        // Invalid values: the Save button shows the problems cell by cell.
        var message = form.dataset.failed;
        try { message = JSON.parse(request.responseText).error.message; } catch (e) {}
        say(message);
      }
    };
    request.onerror = function () {
      busy = false;
      dirty = true;
      say(form.dataset.offline);
    };
    request.send(JSON.stringify(content()));
  }

  form.addEventListener("input", function () {
    dirty = true;
    say(form.dataset.pending);
    clearTimeout(timer);
    timer = setTimeout(save, 3000);
  });
  setInterval(save, 30000);
})();
