/* Steward consent loader (served as /consent/banner.js with its configuration filled in).
   Reads the stored choice, unblocks consented <script type="text/plain" data-category> and
   <template data-category> elements, sends Google Consent Mode v2 signals through
   window.dataLayer, honours Global Privacy Control, and loads the dialog (ui.js) only when a
   choice is needed or the visitor asks for it. No inline code is created without the nonce. */
(function (w, d) {
  "use strict";
  var C = /*STEWARD_CONFIG*/null;
  var me = d.currentScript;
  var base = me.src.replace(/\/consent\/banner\.js.*$/, "");
  var nonce = me.nonce || "";
  var KEY = "steward_consent", DAY = 864e5;
  var nav = w.navigator;
  var gpc = nav.globalPrivacyControl === true || C.gpc === true;
  var lang = (me.getAttribute("data-lang") || d.documentElement.lang || "en").toLowerCase().split("-")[0];
  if (!C.h[lang]) lang = "en";
  var S = read();
  if (S && S.v !== C.v) S = { id: S.id, v: C.v, c: {} }; // a new notice version asks again

  function dl() { (w.dataLayer = w.dataLayer || []).push(arguments); }
  function read() {
    var m = d.cookie.match(/(?:^|; )steward_consent=([^;]*)/);
    try { return m ? JSON.parse(decodeURIComponent(m[1])) : null; } catch (e) { return null; }
  }
  function write() {
    var max = 1;
    C.cats.forEach(function (c) { if (c.d > max) max = c.d; });
    d.cookie = KEY + "=" + encodeURIComponent(JSON.stringify(S)) + "; Max-Age=" + max * 86400 +
      "; Path=/; SameSite=Lax" + (location.protocol === "https:" ? "; Secure" : "");
  }
  function cat(k) { return C.cats.filter(function (c) { return c.k === k; })[0]; }
  function entry(k) { var e = S && S.c[k]; return e && e[1] > Date.now() ? e : null; }
  function granted(k) { var c = cat(k); if (!c) return false; if (c.r) return true; var e = entry(k); return !!(e && e[0]); }
  function complete() { return C.cats.every(function (c) { return c.r || entry(c.k); }); }
  function gpcRefused(k) { var c = cat(k); return gpc && c && c.g; }
  function uuid() {
    if (w.crypto.randomUUID) return w.crypto.randomUUID();
    return "10000000-1000-4000-8000-100000000000".replace(/[018]/g, function (x) {
      return (x ^ w.crypto.getRandomValues(new Uint8Array(1))[0] & 15 >> x / 4).toString(16);
    });
  }

  function signals() {
    var u = {};
    C.cats.forEach(function (c) { c.s.forEach(function (x) { u[x] = granted(c.k) ? "granted" : "denied"; }); });
    return u;
  }

  function script(old) {
    var s = d.createElement("script");
    for (var i = 0; i < old.attributes.length; i++) {
      var a = old.attributes[i];
      if (!/^(type|data-category|data-src|data-type)$/.test(a.name)) s.setAttribute(a.name, a.value);
    }
    if (old.getAttribute("data-type")) s.type = old.getAttribute("data-type");
    if (old.getAttribute("data-src")) s.src = old.getAttribute("data-src");
    if (!s.src) s.text = old.text;
    if (nonce) s.nonce = nonce;
    s.async = false; // keep the page's order between guarded scripts
    return s;
  }

  function activate() {
    d.querySelectorAll('script[type="text/plain"][data-category]').forEach(function (el) {
      if (granted(el.getAttribute("data-category"))) el.replaceWith(script(el));
    });
    d.querySelectorAll("template[data-category]").forEach(function (t) {
      if (!granted(t.getAttribute("data-category"))) return;
      var f = t.content.cloneNode(true);
      f.querySelectorAll("script").forEach(function (o) { o.replaceWith(script(o)); });
      t.replaceWith(f);
    });
  }

  function purge(c) {
    var names = d.cookie.split("; ").map(function (x) { return x.split("=")[0]; });
    var host = location.hostname.split(".");
    c.c.forEach(function (n) {
      names.filter(function (x) { return n.slice(-1) === "*" ? x.indexOf(n.slice(0, -1)) === 0 : x === n; })
        .forEach(function (x) {
          d.cookie = x + "=; Max-Age=0; Path=/";
          for (var i = 0; i < host.length - 1; i++) d.cookie = x + "=; Max-Age=0; Path=/; Domain=." + host.slice(i).join(".");
        });
    });
  }

  function send(choices, ui, sha) {
    var body = JSON.stringify({ cid: S.id, v: C.v, lang: lang, sha: sha || C.h[lang], rev: C.rev, ui: ui,
      page: location.origin + location.pathname, gpc: gpc, choices: choices });
    var url = base + "/consent/events";
    // The page never waits for the ledger: a beacon, or a keepalive fetch where beacons are off.
    if (!(nav.sendBeacon && nav.sendBeacon(url, body))) {
      fetch(url, { method: "POST", body: body, keepalive: true, mode: "no-cors" }).catch(function () {});
    }
  }

  function decide(choices, ui, sha) {
    var now = Date.now();
    S = S || { id: uuid(), v: C.v, c: {} };
    S.id = S.id || uuid();
    Object.keys(choices).forEach(function (k) {
      var c = cat(k);
      if (!c || c.r) return;
      var was = granted(k);
      S.c[k] = [choices[k] ? 1 : 0, now + c.d * DAY];
      if (was && !choices[k]) purge(c);
    });
    if (ui === "gpc") S.g = 1;
    write();
    dl("consent", "update", signals());
    activate();
    send(choices, ui, sha);
  }

  var api = { config: C, base: base, lang: lang, gpc: gpc, nonce: nonce, granted: granted,
    entry: entry, complete: complete, gpcRefused: gpcRefused, decide: decide };

  function open() {
    if (w.StewardConsentUI) return w.StewardConsentUI(api);
    var l = d.createElement("link");
    l.rel = "stylesheet"; l.href = base + "/consent/banner.css";
    d.head.appendChild(l);
    var s = d.createElement("script");
    s.src = base + "/consent/ui.js?r=" + C.rev;
    if (nonce) s.nonce = nonce;
    s.onload = function () { w.StewardConsentUI(api); };
    d.head.appendChild(s);
  }

  var defaults = {};
  C.cats.forEach(function (c) { c.s.forEach(function (x) { defaults[x] = c.r ? "granted" : "denied"; }); });
  defaults.wait_for_update = 500;
  dl("consent", "default", defaults);
  if (S) dl("consent", "update", signals());

  w.StewardConsent = { open: open, granted: granted };
  d.addEventListener("click", function (e) {
    var t = e.target.closest && e.target.closest("[data-steward-consent-open]");
    if (t) { e.preventDefault(); open(); }
  });

  function start() {
    activate();
    // GPC: refuse the categories it covers once, unless the visitor decided them already.
    if (gpc && !(S && S.g)) {
      var refuse = {}, any = false;
      C.cats.forEach(function (c) { if (c.g && !c.r && !entry(c.k)) { refuse[c.k] = false; any = true; } });
      if (any) decide(refuse, "gpc");
    }
    if (!complete()) open();
  }
  if (d.readyState === "loading") d.addEventListener("DOMContentLoaded", start); else start();
})(window, document);
