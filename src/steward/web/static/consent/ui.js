/* Steward consent dialog, loaded by the loader only when needed. Renders exactly the texts and
   choices of /consent/config.json (whose sha256 is sent with every decision), built with DOM
   calls only (no innerHTML, no inline style). Accessible: role=dialog, aria-modal, labelled
   and described, focus kept inside, Escape, full keyboard use. */
(function (w, d) {
  "use strict";
  var open = null;

  function el(tag, attrs, text) {
    var e = d.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text) e.textContent = text;
    return e;
  }

  function show(api, cfg) {
    var T = cfg.content.texts, cats = cfg.content.categories;
    var back = el("div", { "class": "stw-back" });
    var box = el("div", { "class": "stw", role: "dialog", "aria-modal": "true",
      "aria-labelledby": "stw-title", "aria-describedby": "stw-body", lang: cfg.lang, tabindex: "-1" });
    box.appendChild(el("h2", { id: "stw-title" }, T.title));
    box.appendChild(el("p", { id: "stw-body" }, T.body));
    var list = el("div", { "class": "stw-cats", id: "stw-cats" });
    list.hidden = true;
    var boxes = {};
    cats.forEach(function (c) {
      var row = el("div", { "class": "stw-cat" });
      var label = el("label", { "for": "stw-c-" + c.key });
      var cb = el("input", { type: "checkbox", id: "stw-c-" + c.key, name: c.key });
      if (c.required) { cb.checked = true; cb.disabled = true; }
      else { cb.checked = api.granted(c.key); boxes[c.key] = cb; }
      label.appendChild(cb);
      label.appendChild(d.createTextNode(" " + c.title + (c.required ? " \u2014 " + T.always : "")));
      row.appendChild(label);
      row.appendChild(el("p", {}, c.description));
      if (c.why) row.appendChild(el("p", { "class": "stw-why" }, c.why));
      if (c.services.length) row.appendChild(el("p", { "class": "stw-svc" }, T.services + ": " + c.services.join(", ")));
      if (api.gpcRefused(c.key) && !cb.checked) row.appendChild(el("p", { "class": "stw-gpc" }, T.gpc));
      list.appendChild(row);
    });
    box.appendChild(list);
    box.appendChild(el("p", { "class": "stw-note" }, T.withdraw));
    var btns = el("div", { "class": "stw-btns" });
    var reject = el("button", { type: "button", "class": "stw-b", "data-a": "reject" }, T.reject);
    var choose = el("button", { type: "button", "class": "stw-b stw-alt", "data-a": "choose",
      "aria-expanded": "false", "aria-controls": "stw-cats" }, T.choose);
    var accept = el("button", { type: "button", "class": "stw-b", "data-a": "accept" }, T.accept);
    btns.appendChild(reject); btns.appendChild(choose); btns.appendChild(accept);
    box.appendChild(btns);
    back.appendChild(box);
    var before = d.activeElement;

    function close() {
      back.remove(); open = null;
      if (before && before.focus) before.focus();
    }
    function finish(ui) {
      var ch = {};
      Object.keys(boxes).forEach(function (k) {
        var c = boxes[k].checked;
        // "Accept all" does not override a GPC refusal: only switching the category on does.
        if (ui === "accept_all") c = c || !api.gpcRefused(k);
        if (ui === "reject_all" || ui === "dismiss") c = false;
        ch[k] = c;
      });
      api.decide(ch, ui, cfg.sha);
      close();
    }
    btns.addEventListener("click", function (e) {
      var a = e.target.getAttribute && e.target.getAttribute("data-a");
      if (a === "reject") finish("reject_all");
      else if (a === "accept") finish("accept_all");
      else if (a === "save") finish("save");
      else if (a === "choose") {
        list.hidden = false;
        choose.textContent = T.save; choose.setAttribute("data-a", "save");
        choose.setAttribute("aria-expanded", "true");
        var first = list.querySelector("input:not([disabled])");
        if (first) first.focus();
      }
    });
    box.addEventListener("keydown", function (e) {
      if (e.key === "Escape") {
        e.preventDefault();
        // Closing without a choice means nothing was accepted: it is recorded as a refusal.
        if (api.complete()) close(); else finish("dismiss");
      } else if (e.key === "Tab") {
        var f = Array.prototype.filter.call(box.querySelectorAll("button, input"), function (x) {
          return !x.disabled && x.offsetParent !== null;
        });
        var i = f.indexOf(d.activeElement);
        if (e.shiftKey && i <= 0) { e.preventDefault(); f[f.length - 1].focus(); }
        else if (!e.shiftKey && i === f.length - 1) { e.preventDefault(); f[0].focus(); }
      }
    });
    d.body.appendChild(back);
    reject.focus();
    open = back;
  }

  w.StewardConsentUI = function (api) {
    if (open) return;
    fetch(api.base + "/consent/config.json?lang=" + encodeURIComponent(api.lang), { credentials: "omit" })
      .then(function (r) { return r.json(); })
      .then(function (cfg) { show(api, cfg); });
  };
})(window, document);
