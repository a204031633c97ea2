/* A stand-in analytics script for the consent demo: it only marks the page when it runs. */
(function (d) {
  var m = d.getElementById("analytics-status");
  if (m) { m.textContent = "analytics script ran"; m.setAttribute("data-ran", "1"); }
  window.stewardDemoAnalyticsRan = true;
})(document);
