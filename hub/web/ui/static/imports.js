// Imports: on the preview, an "Ignore" box greys out its header's input. (A job's page is
// followed by job.js.)
"use strict";
(function () {
  document.querySelectorAll("input[data-ignores]").forEach(function (box) {
    box.addEventListener("change", function () {
      var input = document.getElementById(box.dataset.ignores);
      input.disabled = box.checked;
    });
  });
}());
