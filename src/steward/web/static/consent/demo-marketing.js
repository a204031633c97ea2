/* A stand-in marketing script for the consent demo: it sets its cookie and marks the page. */
(function (d) {
  d.cookie = "_am_id=demo; Path=/; Max-Age=3600; SameSite=Lax";
  var m = d.getElementById("marketing-status");
  if (m) { m.textContent = "marketing script ran"; m.setAttribute("data-ran", "1"); }
  window.stewardDemoMarketingRan = true;
})(document);
