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

// Adding an image saves only the image, and the page then reloads: refuse to post it while the
// edit form holds unsaved changes, which would be dropped. Enter in the upload's inputs adds the
// image rather than saving the form. Without this script the server still saves only the image.
(function () {
  var box = document.querySelector("[data-upload]");
  if (!box) { return; }
  var form = box.closest("form");
  var button = box.querySelector("button[formaction]");
  var warning = document.getElementById("upload-unsaved");
  function changed(element) {
    if (box.contains(element) || !element.name) { return false; }
    if (element.type === "checkbox" || element.type === "radio") { return element.checked !== element.defaultChecked; }
    if (element.tagName === "SELECT") {
      var defaults = Array.prototype.filter.call(element.options, function (o) { return o.defaultSelected; });
      if (!defaults.length && !element.multiple) { return element.selectedIndex > 0; }  // the first shows by default
      return Array.prototype.some.call(element.options, function (o) { return o.selected !== o.defaultSelected; });
    }
    if (element.tagName === "INPUT" || element.tagName === "TEXTAREA") { return element.value !== element.defaultValue; }
    return false;
  }
  form.addEventListener("submit", function (event) {
    if (event.submitter !== button) { return; }
    if (Array.prototype.some.call(form.elements, changed)) {
      event.preventDefault();
      warning.hidden = false;
      button.focus();
    }
  });
  box.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.tagName === "INPUT" && event.target.type !== "file") {
      event.preventDefault();
      form.requestSubmit(button);
    }
  });
})();
