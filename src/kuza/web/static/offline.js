/* Kuza offline meeting capture. Hand-written, no library.
 *
 * When the collection sheet is posted without a connection, the sheet is kept in this
 * browser (localStorage) with a key made here, and sent to POST /api/v1/meetings with
 * that key as Idempotency-Key when the connection is back: a sheet sent twice is booked
 * once. A refusal (409 conflict, 422 invalid) is shown and kept until discarded. */
(function () {
  "use strict";
  var STORE = "kuza.outbox.v1";
  var box = document.getElementById("outbox");
  var sending = false;

  function load() {
    try { return JSON.parse(localStorage.getItem(STORE) || "[]"); } catch (e) { return []; }
  }
  function save(items) { localStorage.setItem(STORE, JSON.stringify(items)); }
  function csrf() {
    var input = document.querySelector("input[name=csrf_token]");
    return input ? input.value : "";
  }
  function newKey() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return "sheet-" + Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }
  function say(template, n) { return box.dataset[template].replace("{n}", String(n)); }

  function show(text) {
    if (!box) { return; }
    var items = load();
    var waiting = items.filter(function (i) { return !i.error; });
    var refused = items.filter(function (i) { return i.error; });
    var list = document.getElementById("outbox-conflicts");
    list.textContent = "";
    refused.forEach(function (item) {
      var li = document.createElement("li");
      li.className = "field-error";
      li.textContent = box.dataset.conflict.replace(
        "{what}", item.held_on + " — " + item.error + " ");
      var discard = document.createElement("button");
      discard.type = "button";
      discard.className = "link";
      discard.textContent = box.dataset.discard;
      discard.addEventListener("click", function () {
        save(load().filter(function (i) { return i.key !== item.key; }));
        show();
      });
      li.appendChild(discard);
      list.appendChild(li);
    });
    var message = text || (waiting.length ? say("waiting", waiting.length) : "");
    document.getElementById("outbox-text").textContent = message;
    box.hidden = !message && !refused.length;
    box.className = "notice" + (refused.length ? " error" : " ok");
  }

  function value(form, name) {
    var input = form.elements[name];
    return input ? String(input.value || "").trim() : "";
  }

  /* The same sheet the server builds from the form (kuza.web.forms.SheetRow.line). */
  function sheetOf(form) {
    var lines = [];
    Array.prototype.forEach.call(form.querySelectorAll("input[name=member]"), function (m) {
      var id = m.value;
      var present = form.elements["present-" + id];
      var line = {
        member_id: parseInt(id, 10),
        present: !!(present && present.checked),
        compulsory: value(form, "compulsory-" + id) || "0"
      };
      ["voluntary", "social", "withdrawal"].forEach(function (name) {
        var v = value(form, name + "-" + id);
        if (v) { line[name] = v; }
      });
      var fine = value(form, "fine-" + id);
      var reason = value(form, "fine_reason-" + id);
      if (fine || reason) { line.fines = [{ amount: fine || "0", reason: reason }]; }
      var repayments = [];
      Array.prototype.forEach.call(
        form.querySelectorAll("input[data-repay-member='" + id + "']"), function (box) {
          var amount = String(box.value || "").trim();
          if (amount && Number(amount) !== 0) {
            repayments.push({ loan_id: parseInt(box.dataset.loan, 10), amount: amount });
          }
        });
      if (repayments.length) { line.repayments = repayments; }
      lines.push(line);
    });
    return {
      group_id: parseInt(form.dataset.group, 10),
      held_on: value(form, "held_on"),
      notes: form.elements.notes ? form.elements.notes.value : "",
      lines: lines
    };
  }

  function keep(form) {
    var sheet = sheetOf(form);
    var items = load();
    items.push({ key: newKey(), held_on: sheet.held_on, sheet: sheet, saved: Date.now() });
    save(items);
    show();
  }

  function sendOne(item) {
    return fetch("/api/v1/meetings", {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "X-CSRF-Token": csrf(),
        "Idempotency-Key": item.key,
        "Accept-Language": document.documentElement.lang || "en"
      },
      body: JSON.stringify(item.sheet)
    }).then(function (r) {
      if (r.ok) { return "done"; }
      if (r.status === 409 || r.status === 422 || r.status === 404 || r.status === 403) {
        return r.json().then(function (body) {
          item.error = (body.error && body.error.message) || ("HTTP " + r.status);
          return "refused";
        }, function () { item.error = "HTTP " + r.status; return "refused"; });
      }
      return "later"; /* 401 (log in again), 429, 5xx: keep it and try again */
    });
  }

  function sync() {
    if (sending || !navigator.onLine) { return; }
    var pending = load().filter(function (i) { return !i.error; });
    if (!pending.length) { show(); return; }
    sending = true;
    show(say("sending", pending.length));
    var booked = 0;
    var chain = Promise.resolve();
    pending.forEach(function (item) {
      chain = chain.then(function () {
        return sendOne(item).then(function (outcome) {
          var items = load();
          if (outcome === "done") {
            booked += 1;
            items = items.filter(function (i) { return i.key !== item.key; });
          } else if (outcome === "refused") {
            items = items.map(function (i) { return i.key === item.key ? item : i; });
          }
          save(items);
        });
      });
    });
    chain.catch(function () { /* the connection dropped again: the rest waits */ })
      .then(function () {
        sending = false;
        var left = load().filter(function (i) { return !i.error; }).length;
        show(booked && !left ? say("synced", booked) : "");
      });
  }

  var form = document.getElementById("meeting-sheet");
  if (form) {
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (navigator.onLine || (button && button.value !== "post")) { return; }
      event.preventDefault();
      if (!form.reportValidity()) { return; }
      keep(form);
    });
  }
  /* The service worker (/sw.js) keeps an opened sheet page for the next time there is no
   * connection; browsers run it only over HTTPS or on this machine. */
  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register("/sw.js").catch(function () { /* pages still work */ });
  }
  window.addEventListener("online", sync);
  window.addEventListener("offline", function () { show(); });
  show();
  sync();
})();
