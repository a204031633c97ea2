// Ticks the server-rendered 72-hour countdowns (GDPR Art. 33(1)) once a minute.
// The deadline comes from the server (data-deadline, ISO 8601 in UTC); nothing else is computed here.
(function () {
  "use strict";
  function text(ms) {
    var minutes = Math.floor(Math.abs(ms) / 60000);
    var h = Math.floor(minutes / 60), m = minutes % 60;
    var span = h + " h " + (m < 10 ? "0" : "") + m + " min";
    return ms >= 0 ? span + " left" : "overdue by " + span;
  }
  function tick() {
    var nodes = document.querySelectorAll("[data-deadline]");
    for (var i = 0; i < nodes.length; i++) {
      var ms = Date.parse(nodes[i].getAttribute("data-deadline")) - Date.now();
      nodes[i].textContent = text(ms);
      nodes[i].classList.toggle("overdue", ms < 0);
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    tick();
    setInterval(tick, 30000);
  });
})();
