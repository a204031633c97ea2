/* Steward visitor statistics: one small event per page view. No cookie, no storage, no
   identifier: the server keeps hourly totals only. <script src=".../analytics/script.js"
   data-site="KEY" defer></script> */
(function (w, d, h) {
  var s = d.currentScript, site = s && s.getAttribute("data-site");
  if (!site) return;
  var url = new URL("/analytics/event", s.src).href;
  function send() {
    var body = JSON.stringify({
      s: site, u: location.href, r: d.referrer,
      i: Math.random().toString(36).slice(2, 12) + Date.now().toString(36)
    });
    try {
      fetch(url, {method: "POST", body: body, keepalive: true, credentials: "omit",
                  mode: "no-cors", headers: {"content-type": "text/plain"}});
    } catch (e) { /* statistics never break the page */ }
  }
  send();
  // Pages that change their address without loading (history API) count as views too.
  var push = h.pushState;
  h.pushState = function () { push.apply(h, arguments); send(); };
  w.addEventListener("popstate", send);
})(window, document, history);
