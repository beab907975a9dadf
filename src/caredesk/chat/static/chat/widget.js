/* caredesk chat widget: one <script> tag, no framework, no build step.
   <script src="https://desk.example.com/static/chat/widget.js" data-caredesk="https://desk.example.com"
           data-widget-key="cw_..." [data-email data-identity-hash data-name] async></script>
   Protocol: docs/chat.md. Messages are numbered; after a reconnect the widget asks for
   everything after the last number it showed, and resends what was not acknowledged
   with the same client_id, so nothing is lost or shown twice. */
(function () {
  "use strict";
  var me = document.currentScript || document.querySelector("script[data-widget-key]");
  if (!me || window.__caredeskChat) return;
  window.__caredeskChat = true;
  var base = (me.getAttribute("data-caredesk") || new URL(me.src).origin).replace(/\/$/, "");
  var key = me.getAttribute("data-widget-key");
  var store = window.sessionStorage, slot = "caredesk-chat:" + key;
  var state = JSON.parse(store.getItem(slot) || "null") || { token: null, seq: 0, status: "", pending: [] };
  var ws = null, retry = 0, polling = false, timer = null, seen = {};
  var T = { open: "Chat with us", close: "Close chat", send: "Send", start: "Start chat",
    name: "Your name", email: "Your email", topic: "Topic", placeholder: "Type your message",
    person: "Talk to a person", offline: "Send", offlineTitle: "Leave us a message",
    end: "End chat", typing: "typing…", reconnecting: "Reconnecting…" };

  function save() { store.setItem(slot, JSON.stringify(state)); }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text) e.textContent = text;
    return e;
  }
  function api(path, body) {
    var h = { "Content-Type": "application/json" };
    if (state.token) h.Authorization = "Bearer " + state.token;
    return fetch(base + "/api/v1/chat/" + path, { method: body === undefined ? "GET" : "POST",
      headers: h, body: body === undefined ? undefined : JSON.stringify(body), credentials: "omit" })
      .then(function (r) { return r.json().then(function (j) { if (!r.ok) throw j; return j; }); });
  }

  var host = el("div", { id: "caredesk-chat" });
  var root = host.attachShadow({ mode: "open" });
  root.appendChild(el("link", { rel: "stylesheet", href: base + "/static/chat/widget.css" }));
  var button = el("button", { class: "launcher", type: "button", "aria-expanded": "false", "aria-controls": "panel" }, T.open);
  var panel = el("section", { id: "panel", class: "panel", role: "dialog", "aria-label": T.open, hidden: "" });
  var head = el("header", {}, ""), title = el("h2", {}, T.open), closer = el("button", { type: "button", class: "x", "aria-label": T.close }, "×");
  head.append(title, closer);
  var log = el("ol", { class: "log", "aria-live": "polite" });
  var typing = el("p", { class: "typing", hidden: "" }, T.typing);
  var note = el("p", { class: "note", role: "status" });
  var form = el("form", { class: "compose", hidden: "" });  // shown once a session exists
  var input = el("textarea", { rows: "2", "aria-label": T.placeholder, placeholder: T.placeholder, maxlength: "5000" });
  var send = el("button", { type: "submit" }, T.send);
  form.append(input, send);
  var person = el("button", { type: "button", class: "person", hidden: "" }, T.person);
  var prechat = el("form", { class: "prechat" }), offline = el("form", { class: "offline", hidden: "" });
  panel.append(head, prechat, log, typing, note, person, offline, form);
  root.append(button, panel);
  document.body.appendChild(host);

  function field(formEl, name, label, type, required) {
    var id = "f-" + formEl.className + "-" + name, l = el("label", { for: id }, label);
    var i = el(type === "textarea" ? "textarea" : "input", { id: id, name: name });
    if (type !== "textarea") i.type = type;
    if (required) i.required = true;
    formEl.append(l, i);
    return i;
  }
  var askName = field(prechat, "name", T.name, "text", false);
  var askEmail = field(prechat, "email", T.email, "email", false);
  var start = el("button", { type: "submit" }, T.start);
  prechat.append(start);
  offline.append(el("h3", {}, T.offlineTitle));
  var offName = field(offline, "name", T.name, "text", false);
  var offEmail = field(offline, "email", T.email, "email", true);
  var offText = field(offline, "text", T.placeholder, "textarea", true);
  offline.append(el("button", { type: "submit" }, T.offline));

  function toggle(open) {
    panel.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
    if (open) (state.token ? input : askName).focus();
  }
  button.onclick = function () { toggle(panel.hidden); };
  closer.onclick = function () { toggle(false); button.focus(); };
  panel.addEventListener("keydown", function (e) { if (e.key === "Escape") closer.onclick(); });

  function show(ev) {
    if (ev.type === "typing") { if (ev.from !== "visitor") { typing.hidden = false; clearTimeout(timer); timer = setTimeout(function () { typing.hidden = true; }, 4000); } return; }
    if (ev.type === "ack") { ack(ev.client_id, ev.seq); return; }
    if (ev.type === "error") { note.textContent = ev.detail || ev.code; return; }
    if (ev.type === "ready") { status(ev.status); return; }
    if (typeof ev.seq !== "number" || seen[ev.seq]) return;
    seen[ev.seq] = true;
    if (ev.seq > state.seq) state.seq = ev.seq;
    if (ev.client_id) ack(ev.client_id, ev.seq);
    if (ev.from !== "visitor") typing.hidden = true;
    if (ev.type === "status") { status(ev.data && ev.data.status, ev.text); }
    else {
      var li = el("li", { class: "from-" + ev.from, "data-seq": String(ev.seq) }, ev.text);
      if (ev.data && ev.data.article) { var a = el("a", { href: base + ev.data.article.url, target: "_blank", rel: "noopener" }, ev.data.article.title); li.appendChild(el("br")); li.appendChild(a); }
      var local = log.querySelector('[data-client="' + ev.client_id + '"]');
      if (local && ev.client_id) local.replaceWith(li); else log.appendChild(li);
      log.scrollTop = log.scrollHeight;
    }
    save();
  }
  function status(s, text) {
    if (!s) return;
    state.status = s;
    person.hidden = s !== "bot";
    offline.hidden = s !== "offline";
    form.hidden = s === "offline" || s === "ended" || !state.token;
    if (text && s !== "bot") note.textContent = text;
    if (s === "ended") { var t = state.token; state.token = null; state.seq = 0; state.pending = []; save(); if (t && ws) ws.close(); prechat.hidden = false; }
  }
  function ack(clientId, seq) {
    state.pending = state.pending.filter(function (p) { return p.client_id !== clientId; });
    save();
  }
  function transmit(p) {
    if (ws && ws.readyState === 1) ws.send(JSON.stringify({ type: "message", text: p.text, client_id: p.client_id }));
    else if (polling) api("messages", p).then(function (r) { r.events.forEach(show); }).catch(function () {});
  }

  function connect() {
    if (!state.token) return;
    var url = state.ws_url || base.replace(/^http/, "ws") + "/ws/chat/";
    try { ws = new WebSocket(url); } catch (e) { return poll(); }
    var opened = false;
    ws.onopen = function () { opened = true; retry = 0; note.textContent = ""; ws.send(JSON.stringify({ type: "auth", token: state.token, after_seq: state.seq })); };
    ws.onmessage = function (m) {
      var ev = JSON.parse(m.data);
      show(ev);
      if (ev.type === "ready") state.pending.forEach(transmit);
    };
    ws.onclose = function (e) {
      ws = null;
      if (!state.token || e.code === 4401 || e.code === 4403) return;
      if (!opened && ++retry > 3) return poll();  // no WebSocket here: long-poll instead
      note.textContent = T.reconnecting;
      setTimeout(connect, Math.min(10000, 500 * Math.pow(2, retry++)));
    };
  }
  function poll() {
    polling = true;
    state.pending.forEach(transmit);
    (function loop() {
      if (!state.token) { polling = false; return; }
      api("events?after_seq=" + state.seq + "&wait=20").then(function (r) {
        r.events.forEach(show); loop();
      }).catch(function () { setTimeout(loop, 3000); });
    })();
  }

  prechat.onsubmit = function (e) {
    e.preventDefault();
    var body = { widget_key: key, name: me.getAttribute("data-name") || askName.value, email: me.getAttribute("data-email") || askEmail.value,
      identity_hash: me.getAttribute("data-identity-hash") || "" };
    start.disabled = true;  // one session per click
    api("sessions", body).then(function (r) {
      start.disabled = false;
      state = { token: r.session_token, seq: 0, status: r.status, pending: [], ws_url: r.ws_url };
      seen = {}; log.textContent = ""; note.textContent = "";
      save(); prechat.hidden = true; status(r.status); connect(); input.focus();
    }).catch(function (err) { start.disabled = false; note.textContent = (err && err.detail) || "Error"; });
  };
  form.onsubmit = function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text || !state.token) return;
    var p = { text: text, client_id: "c" + Date.now().toString(36) + Math.random().toString(36).slice(2, 8) };
    state.pending.push(p); save();
    log.appendChild(el("li", { class: "from-visitor pending", "data-client": p.client_id }, text));
    input.value = "";
    transmit(p);
  };
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); }
    else if (ws && ws.readyState === 1) ws.send('{"type":"typing"}');
  });
  person.onclick = function () { if (ws && ws.readyState === 1) ws.send('{"type":"handoff"}'); else api("handoff", {}).then(function (r) { r.events.forEach(show); }); };
  offline.onsubmit = function (e) {
    e.preventDefault();
    api("offline", { name: offName.value, email: offEmail.value, text: offText.value })
      .then(function () { offline.hidden = true; }).catch(function (err) { note.textContent = (err && err.detail) || "Error"; });
  };
  askName.parentNode.hidden = false;
  if (me.getAttribute("data-email")) { askEmail.previousSibling.remove(); askEmail.remove(); }
  var color = me.getAttribute("data-color"); if (color) host.style.setProperty("--cd-accent", color);
  if (state.token) { prechat.hidden = true; status(state.status); connect(); }
})();
