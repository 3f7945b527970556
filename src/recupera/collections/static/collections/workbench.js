// Keyboard navigation of the work queue: j/k or arrows move, Enter opens the case.
// Alt+R (accesskey) jumps to the outcome of the action form; Enter in a field submits it.
(function () {
  "use strict";
  function typing(el) {
    return el && (el.tagName === "INPUT" || el.tagName === "SELECT" || el.tagName === "TEXTAREA" || el.isContentEditable);
  }
  function setup() {
    var table = document.querySelector("[data-keyboard-list]");
    if (!table) return;
    var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr[data-href]"));
    if (!rows.length) return;
    var index = 0;
    function select(i) {
      index = Math.max(0, Math.min(rows.length - 1, i));
      rows.forEach(function (r, n) { r.setAttribute("aria-selected", n === index ? "true" : "false"); });
      rows[index].focus({ preventScroll: false });
    }
    rows.forEach(function (row, n) {
      row.addEventListener("click", function (ev) {
        if (ev.target.tagName !== "A") { window.location = row.dataset.href; }
      });
      row.addEventListener("focus", function () { index = n; });
    });
    document.addEventListener("keydown", function (ev) {
      if (typing(document.activeElement) || ev.altKey || ev.ctrlKey || ev.metaKey) return;
      if (ev.key === "j" || ev.key === "ArrowDown") { select(index + 1); ev.preventDefault(); }
      else if (ev.key === "k" || ev.key === "ArrowUp") { select(index - 1); ev.preventDefault(); }
      else if (ev.key === "Enter") { window.location = rows[index].dataset.href; ev.preventDefault(); }
    });
    rows.forEach(function (r) { r.setAttribute("aria-selected", "false"); });
    rows[0].setAttribute("aria-selected", "true");
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup); else setup();
})();
