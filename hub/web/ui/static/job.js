// A background job's page (a bulk edit, an import): poll its status once a second while it
// runs, showing progress and counts, then reload to show what failed. The job's section says
// where to ask (data-status-url), the ids' prefix (data-prefix) and which counts to show
// (data-counts); elements <prefix>-progress, -percent, -status and -<count> are filled in.
"use strict";
(function () {
  var job = document.querySelector("[data-job][data-status-url]");
  if (!job || job.dataset.finished === "yes") { return; }
  var prefix = job.dataset.prefix;
  var set = function (name, text) { document.getElementById(prefix + "-" + name).textContent = text; };
  var poll = function () {
    fetch(job.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        document.getElementById(prefix + "-progress").value = state.progress;
        set("percent", Math.round(state.progress * 100) + "%");
        set("status", state.status);
        job.dataset.counts.split(" ").forEach(function (name) { set(name, state[name]); });
        if (state.status === "succeeded" || state.status === "failed") {
          window.location.reload();
        } else {
          window.setTimeout(poll, 1000);
        }
      }, function () { window.setTimeout(poll, 3000); });
  };
  window.setTimeout(poll, 500);
}());
