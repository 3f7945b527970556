// Small behaviours without inline scripts (the Content-Security-Policy forbids them).

// <select data-autosubmit> submits its form when it changes.
document.addEventListener("change", function (event) {
  var field = event.target;
  if (field && field.matches && field.matches("[data-autosubmit]") && field.form) {
    field.form.requestSubmit ? field.form.requestSubmit() : field.form.submit();
  }
});

// Every refusal is visible (one handler for every htmx request, not one per form).
// The htmx-config in core/base.html swaps 400/409/413/422/429 answers into the request's target
// (they carry the form again with its Spanish errors). Any other error answer (403, 404, 500…),
// an error answer that is a whole page, or a lost connection is shown in the page's alert area
// (#htmx-alert) with the heading and first paragraph of the Spanish error page.
(function () {
  var FALLBACK = "No se pudo completar la operación. Intente de nuevo; si se repite, avise a Administración TI.";
  var OFFLINE = "No hay conexión con Recupera: la operación no se envió. Revise la red e intente de nuevo.";

  function showAlert(text) {
    var box = document.getElementById("htmx-alert");
    if (!box) { window.alert(text); return; }
    box.textContent = text;
    box.hidden = false;
    box.scrollIntoView({block: "nearest"});
  }

  function clearAlert() {
    var box = document.getElementById("htmx-alert");
    if (box) { box.hidden = true; box.textContent = ""; }
  }

  function isWholePage(body) {
    return /^\s*(<!doctype|<html)/i.test(body || "");
  }

  // The readable message of an error answer: the heading and first paragraph of its <main>,
  // or the "detail" of a JSON answer, or the fallback.
  function messageOf(xhr) {
    var body = xhr.responseText || "";
    var type = xhr.getResponseHeader("Content-Type") || "";
    if (type.indexOf("json") >= 0) {
      try { var data = JSON.parse(body); if (data && data.detail) { return String(data.detail); } } catch (e) { /* fall through */ }
      return FALLBACK;
    }
    var doc = new DOMParser().parseFromString(body, "text/html");
    var root = doc.querySelector("main") || doc.body;
    if (!root) { return FALLBACK; }
    var alertBox = root.querySelector("#htmx-alert");
    if (alertBox) { alertBox.remove(); }
    var parts = [];
    var heading = root.querySelector("h1") || root.querySelector("h2, .error, [role=alert]");
    var para = root.querySelector("h1 ~ p") || root.querySelector("p");
    if (heading && heading.textContent.trim()) { parts.push(heading.textContent.trim()); }
    if (para && para !== heading && para.textContent.trim()) { parts.push(para.textContent.trim()); }
    var text = parts.join(". ").replace(/\.\./g, ".").replace(/\s+/g, " ");
    return text || FALLBACK;
  }

  document.addEventListener("htmx:beforeRequest", clearAlert);

  // beforeSwap sees every answer first: an error answer that will not be swapped (or is a
  // whole page, which must not land inside a form's target) is shown in the alert area.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.status < 400) { return; }
    if (event.detail.shouldSwap && isWholePage(xhr.responseText)) { event.detail.shouldSwap = false; }
    if (!event.detail.shouldSwap) { showAlert(messageOf(xhr)); }
    xhr.recuperaShown = true;
  });

  // Errors that never reached beforeSwap (e.g. an answer htmx could not process).
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && !xhr.recuperaShown) { showAlert(messageOf(xhr)); }
  });

  document.addEventListener("htmx:sendError", function () { showAlert(OFFLINE); });
  document.addEventListener("htmx:timeout", function () { showAlert(OFFLINE); });
})();
