// The product grid: tick every row of the page at once, count the ticked ones, and show only
// the bulk-edit inputs the chosen change needs. Without JavaScript every input shows and works.
"use strict";
(function () {
  var form = document.getElementById("bulk-form");
  if (!form) { return; }
  var rows = Array.prototype.slice.call(document.querySelectorAll("input.row-select"));
  var all = document.getElementById("select-page");
  var count = document.getElementById("selected-count");
  var update = function () {
    var ticked = rows.filter(function (box) { return box.checked; }).length;
    count.textContent = String(ticked);
    all.checked = ticked > 0 && ticked === rows.length;
    all.indeterminate = ticked > 0 && ticked < rows.length;
  };
  all.addEventListener("change", function () {
    rows.forEach(function (box) { box.checked = all.checked; });
    update();
  });
  rows.forEach(function (box) { box.addEventListener("change", update); });
  var action = document.getElementById("bulk-action");
  var show = function () {
    form.querySelectorAll(".bulk-value").forEach(function (part) {
      var wanted = part.dataset["for"].split(" ").indexOf(action.value) >= 0;
      part.hidden = !wanted;
      part.querySelectorAll("input, select").forEach(function (input) { input.disabled = !wanted; });
    });
  };
  action.addEventListener("change", show);
  show();
  update();
}());
