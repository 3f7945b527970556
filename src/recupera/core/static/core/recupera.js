// Small behaviours without inline scripts (the Content-Security-Policy forbids them):
// <select data-autosubmit> submits its form when it changes.
document.addEventListener("change", function (event) {
  var field = event.target;
  if (field && field.matches && field.matches("[data-autosubmit]") && field.form) {
    field.form.requestSubmit ? field.form.requestSubmit() : field.form.submit();
  }
});
