/* A stand-in script for the consent demo, one per cookie category that needs consent: it sets
   the category's cookies (data-cookies) and marks the page (#<data-mark>-status). */
(function (d) {
  var me = d.currentScript, key = me && me.getAttribute("data-mark");
  if (!key) return;
  (me.getAttribute("data-cookies") || "").split(" ").forEach(function (n) {
    if (n && n.slice(-1) !== "*") d.cookie = n + "=demo; Path=/; Max-Age=3600; SameSite=Lax";
  });
  var m = d.getElementById(key + "-status");
  if (m) { m.textContent = key + " script ran"; m.setAttribute("data-ran", "1"); }
  (window.stewardDemoRan = window.stewardDemoRan || {})[key] = true;
})(document);
