// The product page's channel previews: each card is filled from its channel's own preview URL, so
// the page itself renders no channel. Without JavaScript each card's link opens the preview as a page.
"use strict";
(function () {
  var FRAGMENT = { "X-Requested-With": "crosscanal-preview", "Accept": "text/html" };

  function showPdf(details) {
    // Created when opened: a closed card should not make the browser fetch and lay out a PDF.
    if (!details.open || details.querySelector("object")) { return; }
    var object = document.createElement("object");
    object.className = "pdf";
    object.type = "application/pdf";
    object.data = details.dataset.pdf;
    object.setAttribute("aria-label", "Printed sheet " + details.dataset.pdfName);
    var fallback = document.createElement("p");
    fallback.className = "muted";
    fallback.textContent = "This browser shows no PDF here; the drawing above says the same.";
    object.appendChild(fallback);
    details.appendChild(object);
  }

  function measure(root) {
    // A label's measures come as "--w: 170.08; --h: 85.04; ...": set as CSS variables here, since
    // the Content-Security-Policy lets no style attribute through.
    root.querySelectorAll("[data-measures]").forEach(function (label) {
      label.dataset.measures.split(";").forEach(function (pair) {
        var parts = pair.split(":");
        if (parts.length === 2) { label.style.setProperty(parts[0].trim(), parts[1].trim()); }
      });
    });
  }

  function wire(root) {
    measure(root);
    root.querySelectorAll("details[data-pdf]").forEach(function (details) {
      details.addEventListener("toggle", function () { showPdf(details); });
    });
  }

  function failed(slot, url, reason) {
    slot.textContent = "";
    var message = document.createElement("p");
    message.className = "error";
    message.textContent = "The preview could not load (" + reason + "). ";
    var link = document.createElement("a");
    link.href = url;
    link.textContent = "Open it on its own page";
    message.appendChild(link);
    slot.appendChild(message);
  }

  function load(slot) {
    var card = slot.closest(".preview");
    var url = slot.dataset.previewUrl;
    var loading = slot.querySelector(".preview-loading");
    if (loading) { loading.insertBefore(document.createTextNode("Loading… "), loading.firstChild); }
    fetch(url, { headers: FRAGMENT, credentials: "same-origin" })
      .then(function (response) {
        // A session that ended redirects to the sign-in page: that is not a preview.
        if (response.redirected) { throw new Error("signed out: reload the page"); }
        if (!response.ok) { throw new Error(response.status + " " + response.statusText); }
        return response.text();
      })
      .then(function (html) {
        slot.innerHTML = html;  // rendered and escaped by the server's templates
        wire(slot);
      })
      .catch(function (error) { failed(slot, url, error.message); })
      .then(function () { if (card) { card.setAttribute("aria-busy", "false"); } });
  }

  document.querySelectorAll("[data-preview-url]").forEach(load);
  measure(document);  // a preview on a page of its own
})();
