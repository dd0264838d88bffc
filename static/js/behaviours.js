/* Small page behaviours declared in markup, so that no template needs an inline handler (see the CSP):
   - <select data-autosubmit> submits its form when changed;
   - <a data-print> opens the print dialog. */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("[data-autosubmit]") && field.form) {
      field.form.requestSubmit();
    }
  });
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-print]");
    if (link) {
      event.preventDefault();
      window.print();
    }
  });
})();
