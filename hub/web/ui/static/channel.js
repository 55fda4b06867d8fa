// The channel pages: copy a pull URL, follow a publication until it finishes, and show the
// settings of the adapter chosen in the channel form.
"use strict";
(function () {
  var select = document.querySelector("select[data-adapter-select]");
  if (!select) { return; }
  function showSettings() {
    // Only the chosen adapter's settings are shown and sent; a disabled fieldset sends nothing.
    document.querySelectorAll("fieldset.adapter-settings").forEach(function (fieldset) {
      var chosen = fieldset.dataset.adapter === select.value;
      fieldset.hidden = !chosen;
      fieldset.disabled = !chosen;
    });
  }
  select.addEventListener("change", showSettings);
  showSettings();
})();

document.querySelectorAll("button.copy").forEach(function (button) {
  button.addEventListener("click", function () {
    var field = document.getElementById(button.dataset.copy);
    field.select();
    var done = function () { button.textContent = "Copied"; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  });
});

(function () {
  var watch = document.getElementById("watch");
  if (!watch) { return; }
  var row = document.querySelector("tr[data-publication='" + watch.dataset.publication + "']");
  function setStatus(element, status) {
    element.textContent = status;
    element.className = "status status-" + status;
  }
  function show(p) {
    document.getElementById("publish-progress").value = p.progress;
    document.getElementById("watch-percent").textContent = Math.round(p.progress * 100) + "%";
    setStatus(document.getElementById("watch-status"), p.status);
    document.getElementById("watch-counts").textContent = p.items + " published, " + p.excluded + " excluded, " +
      p.warnings + " with warnings of " + p.total;
    if (p.error) {
      var error = document.getElementById("watch-error");
      error.textContent = p.error;
      error.hidden = false;
    }
    if (row) {
      setStatus(row.querySelector(".status"), p.status);
      ["total", "items", "excluded", "warnings"].forEach(function (name) { row.querySelector("." + name).textContent = p[name]; });
    }
    return p.status === "succeeded" || p.status === "failed";
  }
  function poll() {
    fetch(watch.dataset.statusUrl, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (p) { if (!show(p)) { setTimeout(poll, 1000); } })
      .catch(function () { setTimeout(poll, 1000); });
  }
  var status = document.getElementById("watch-status").textContent;
  if (status !== "succeeded" && status !== "failed") { setTimeout(poll, 1000); }
})();
