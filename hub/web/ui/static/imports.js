// Imports: on the preview, an "Ignore" box greys out its header's input; on a job page, poll the
// status once a second while it runs, then reload to show the rejected rows.
"use strict";
(function () {
  document.querySelectorAll("input[data-ignores]").forEach(function (box) {
    box.addEventListener("change", function () {
      var input = document.getElementById(box.dataset.ignores);
      input.disabled = box.checked;
    });
  });

  var job = document.getElementById("import-job");
  if (!job || job.dataset.finished === "yes") { return; }
  var set = function (id, text) { document.getElementById(id).textContent = text; };
  var poll = function () {
    fetch(job.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        document.getElementById("import-progress").value = state.progress;
        set("import-percent", Math.round(state.progress * 100) + "%");
        set("import-status", state.status);
        ["rows", "created", "updated", "unchanged", "rejected"].forEach(function (name) { set("import-" + name, state[name]); });
        if (state.status === "succeeded" || state.status === "failed") {
          window.location.reload();
        } else {
          window.setTimeout(poll, 1000);
        }
      }, function () { window.setTimeout(poll, 3000); });
  };
  window.setTimeout(poll, 500);
}());
