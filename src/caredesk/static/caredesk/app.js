// caredesk: keyboard shortcuts, bulk selection, presence, canned replies. No inline
// script anywhere (the Content-Security-Policy forbids it); everything hangs on data-*.
(function () {
  "use strict";

  document.addEventListener("htmx:configRequest", function (e) {
    e.detail.headers["X-CSRFToken"] = document.body.dataset.csrf;
  });

  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }

  // ---- inbox: j/k move, x select, o/Enter open ----
  function rows() { return Array.from(document.querySelectorAll("tr[data-ticket-url]")); }
  function current() { return document.querySelector("tr[data-ticket-url].selected"); }
  function select(row) {
    var old = current();
    if (old) { old.classList.remove("selected"); old.removeAttribute("aria-selected"); }
    if (!row) return;
    row.classList.add("selected");
    row.setAttribute("aria-selected", "true");
    var link = row.querySelector("a.subject");
    if (link) link.focus();
  }
  function move(delta) {
    var all = rows(); if (!all.length) return;
    var i = all.indexOf(current());
    select(all[Math.max(0, Math.min(all.length - 1, i < 0 ? 0 : i + delta))]);
  }

  // ---- ticket: r reply, n note, a assign, s solve ----
  function focusComposer(kind) {
    var radio = document.getElementById(kind === "note" ? "kind-note" : "kind-reply");
    if (radio) radio.checked = true;
    var box = document.getElementById(button.dataset.insertInto || "composer-text");
    if (box) { box.focus(); box.scrollIntoView({block: "center"}); }
  }

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "Escape" && typing(document.activeElement)) { document.activeElement.blur(); return; }
    if (typing(document.activeElement)) return;
    var k = e.key;
    if (k === "/") { var q = document.getElementById("global-q"); if (q) { e.preventDefault(); q.focus(); } return; }
    if (k === "?") { window.location.href = "/shortcuts/"; return; }
    if (k === "u" && document.getElementById("composer-text")) {
      window.location.href = sessionStorage.getItem("caredesk-inbox") || "/inbox/";
      return;
    }
    if (rows().length) {
      if (k === "j") { e.preventDefault(); move(1); return; }
      if (k === "k") { e.preventDefault(); move(-1); return; }
      if (k === "x" && current()) { var box = current().querySelector("input[type=checkbox]"); if (box) { box.click(); } return; }
      if ((k === "o" || k === "Enter") && current()) { window.location.href = current().dataset.ticketUrl; return; }
    }
    if (document.getElementById("composer-text")) {
      if (k === "r") { e.preventDefault(); focusComposer("reply"); return; }
      if (k === "n") { e.preventDefault(); focusComposer("note"); return; }
      if (k === "a") { var a = document.getElementById("id_assignee"); if (a) { e.preventDefault(); a.focus(); } return; }
      if (k === "s") { var s = document.getElementById("solve-button"); if (s) { e.preventDefault(); s.click(); } return; }
    }
  });

  document.addEventListener("click", function (e) {
    var t = e.target;
    if (t && t.id === "select-all") {
      document.querySelectorAll("input[name=ids]").forEach(function (b) { b.checked = t.checked; });
    }
    var row = t && t.closest && t.closest("tr[data-ticket-url]");
    if (row) select(row);
  });

  document.addEventListener("submit", function (e) {
    var msg = e.target.dataset && e.target.dataset.confirm;
    if (msg && !window.confirm(msg)) e.preventDefault();
  });

  // ---- presence: the hidden input tells the server whether we are typing a reply ----
  document.addEventListener("input", function (e) {
    if (e.target && e.target.id === "composer-text") {
      var state = document.getElementById("presence-state");
      if (state) state.value = e.target.value.trim() ? "replying" : "viewing";
    }
  });

  // ---- suggested articles: insert the link at the cursor ----
  document.addEventListener("click", function (e) {
    var button = e.target.closest ? e.target.closest("[data-insert-text]") : null;
    if (!button) return;
    var box = document.getElementById(button.dataset.insertInto || "composer-text");
    if (!box) return;
    var at = box.selectionStart || box.value.length;
    var text = button.dataset.insertText;
    box.value = box.value.slice(0, at) + text + box.value.slice(at);
    box.dispatchEvent(new Event("input", {bubbles: true}));
    box.focus();
  });

  // ---- canned replies: insert the rendered text at the cursor ----
  document.addEventListener("change", function (e) {
    var sel = e.target;
    if (!sel || sel.id !== "canned") return;
    var opt = sel.options[sel.selectedIndex];
    if (!opt || !opt.dataset.url) return;
    fetch(opt.dataset.url, {credentials: "same-origin"}).then(function (r) { return r.text(); }).then(function (text) {
      var box = document.getElementById(button.dataset.insertInto || "composer-text");
      var at = box.selectionStart || box.value.length;
      box.value = box.value.slice(0, at) + text + box.value.slice(at);
      box.dispatchEvent(new Event("input", {bubbles: true}));
      box.focus();
      sel.selectedIndex = 0;
    });
  });

  document.addEventListener("DOMContentLoaded", function () {
    if (document.getElementById("bulk-form")) sessionStorage.setItem("caredesk-inbox", window.location.href);
    var first = rows()[0];
    if (first && !document.querySelector("[autofocus]")) select(first);
    // A survey link carries the score chosen in the email: one click answers.
    var survey = document.querySelector("form[data-autosubmit]");
    if (survey) survey.requestSubmit();
  });

  // The language switch in the header: choosing is enough.
  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches("select[data-submit-on-change]")) e.target.form.requestSubmit();
  });
})();
