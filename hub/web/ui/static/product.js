// The product page: a link to an input (completeness, error summary) unfolds the per-channel
// group holding it and puts the focus there. Without this script the links still scroll.
"use strict";
(function () {
  function reveal(id) {
    var target = document.getElementById(id);
    if (!target) { return false; }
    for (var parent = target.parentElement; parent; parent = parent.parentElement) {
      if (parent.tagName === "DETAILS") { parent.open = true; }
    }
    target.focus();
    return document.activeElement === target;
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link || link.getAttribute("href").length < 2) { return; }
    var id = decodeURIComponent(link.getAttribute("href").slice(1));
    if (reveal(id)) {
      event.preventDefault();
      history.replaceState(null, "", "#" + id);
    }
  });
  if (location.hash.length > 1) { reveal(decodeURIComponent(location.hash.slice(1))); }
})();
