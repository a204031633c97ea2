// After a form was sent back with an error, bring it into view: the page is long and the
// officer should not have to search for what to correct. Nothing is computed here.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var target = document.querySelector("[aria-invalid='true'], .error-box");
    if (!target) { return; }
    target.scrollIntoView({ block: "center" });
    if (target.focus) { target.focus({ preventScroll: true }); }
  });
})();
