// A running bulk edit: poll its status once a second, then reload to show what failed.
"use strict";
(function () {
  var job = document.getElementById("bulk-job");
  if (!job || job.dataset.finished === "yes") { return; }
  var set = function (id, text) { document.getElementById(id).textContent = text; };
  var poll = function () {
    fetch(job.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        document.getElementById("bulk-progress").value = state.progress;
        set("bulk-percent", Math.round(state.progress * 100) + "%");
        set("bulk-status", state.status);
        set("bulk-changed", state.changed);
        set("bulk-unchanged", state.unchanged);
        set("bulk-failed", state.failed);
        if (state.status === "succeeded" || state.status === "failed") {
          window.location.reload();
        } else {
          window.setTimeout(poll, 1000);
        }
      }, function () { window.setTimeout(poll, 3000); });
  };
  window.setTimeout(poll, 500);
}());
