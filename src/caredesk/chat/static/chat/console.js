/* The agent console: one WebSocket for the queue and every open chat. Each chat panel
   is server-rendered (/chat/<id>/) and then kept live by numbered events; after a
   reconnect each panel asks for what came after the last number it shows. */
(function () {
  "use strict";
  var consoleEl = document.getElementById("chat-console");
  if (!consoleEl) return;
  var panels = document.getElementById("chat-panels");
  var canned = document.getElementById("chat-canned");
  var ws = null, retry = 0, open = {};

  function lastSeq(panel) {
    var items = panel.querySelectorAll("[data-seq]");
    return items.length ? Number(items[items.length - 1].getAttribute("data-seq")) : 0;
  }
  function watch(id) {
    if (ws && ws.readyState === 1 && open[id]) ws.send(JSON.stringify({ type: "watch", conversation_id: id, after_seq: lastSeq(open[id]) }));
  }
  function openChat(id) {
    if (open[id]) { open[id].scrollIntoView(); return; }
    fetch("/chat/" + id + "/", { headers: { "HX-Request": "true" } }).then(function (r) { return r.text(); }).then(function (html) {
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var panel = holder.firstElementChild;
      panels.appendChild(panel);
      open[id] = panel;
      wire(panel, id);
      watch(id);
    });
  }
  function wire(panel, id) {
    var form = panel.querySelector("[data-send]");
    if (!form) return;
    var text = form.querySelector("textarea"), note = form.querySelector("[name=note]");
    var select = form.querySelector("[data-canned]");
    if (canned && select) select.insertAdjacentHTML("beforeend", canned.innerHTML);
    if (select) select.onchange = function () { if (select.value) { text.value = select.value; text.focus(); select.value = ""; } };
    form.onsubmit = function (e) {
      e.preventDefault();
      var value = text.value.trim();
      if (!value || !ws || ws.readyState !== 1) return;
      ws.send(JSON.stringify({ type: note.checked ? "note" : "message", conversation_id: id, text: value,
        client_id: "a" + Date.now().toString(36) + Math.random().toString(36).slice(2, 8) }));
      text.value = ""; note.checked = false;
    };
    text.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); }
      else if (ws && ws.readyState === 1) ws.send(JSON.stringify({ type: "typing", conversation_id: id }));
    });
  }
  function show(ev) {
    if (ev.type === "queue") { document.body.dispatchEvent(new CustomEvent("chat-queue")); return; }
    var panel = open[ev.conversation_id];
    if (!panel) return;
    if (ev.type === "typing") { var t = panel.querySelector("[data-typing]"); t.hidden = false; clearTimeout(t._h); t._h = setTimeout(function () { t.hidden = true; }, 4000); return; }
    if (ev.type === "error") { alert(ev.detail); return; }
    if (panel.querySelector('[data-seq="' + ev.seq + '"]')) return;
    var li = document.createElement("li");
    li.className = "from-" + ev.from + " kind-" + ev.type;
    li.setAttribute("data-seq", ev.seq);
    var who = document.createElement("span"); who.className = "who"; who.textContent = ev.from;
    li.append(who, " ", ev.text);
    panel.querySelector("[data-log]").appendChild(li);
    if (ev.from === "visitor") panel.querySelector("[data-typing]").hidden = true;
    if (ev.type === "status" && ev.data && ev.data.status === "ended") { var f = panel.querySelector("[data-send]"); if (f) f.hidden = true; }
  }
  function connect() {
    ws = new WebSocket(consoleEl.getAttribute("data-ws-url"));
    ws.onopen = function () { retry = 0; Object.keys(open).forEach(function (id) { watch(Number(id)); }); };
    ws.onmessage = function (m) { show(JSON.parse(m.data)); };
    ws.onclose = function () { setTimeout(connect, Math.min(10000, 500 * Math.pow(2, retry++))); };
  }
  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest("[data-open-chat]");
    if (link) { e.preventDefault(); openChat(Number(link.getAttribute("data-open-chat"))); }
  });
  connect();
  document.querySelectorAll("[data-open-chat]").forEach(function (a) { openChat(Number(a.getAttribute("data-open-chat"))); });
})();
