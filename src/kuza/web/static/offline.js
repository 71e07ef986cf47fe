/* Kuza offline meeting capture. Hand-written, no library.
 *
 * When the collection sheet is posted without a connection, the sheet is kept in this
 * browser (localStorage) with a key made here. When the connection is back, every queued
 * sheet goes in one request to POST /api/v1/meeting-batches (100 at most per request),
 * booked in one transaction: a sheet sent twice is booked once. A sheet refused (a
 * conflict with a posted meeting, an amount refused) is shown with its error and kept
 * until discarded; the others leave the outbox. Without an answer, all stay queued. */
(function () {
  "use strict";
  var STORE = "kuza.outbox.v1";
  var box = document.getElementById("outbox");
  var sending = false;
  var BATCH = 100; /* sheets per sync request: MAX_BATCH of kuza.services.meeting_batch */

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
        "{what}", (item.group ? item.group + ", " : "") + item.held_on + " — " + item.error + " ");
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
    items.push({
      key: newKey(), group: form.dataset.groupName || "", held_on: sheet.held_on, sheet: sheet,
      saved: Date.now()
    });
    save(items);
    show();
  }

  /* One key per set of sheets (a 53-bit hash of their keys, cyrb53): a sync sent again
   * after its answer was lost replays the first answer. Each sheet is also booked once
   * on its own by its content, so a sheet in two different batches is booked once. */
  function batchKey(chunk) {
    var text = chunk.map(function (i) { return i.key; }).join(",");
    var h1 = 0xdeadbeef, h2 = 0x41c6ce57;
    for (var k = 0; k < text.length; k++) {
      var c = text.charCodeAt(k);
      h1 = Math.imul(h1 ^ c, 2654435761);
      h2 = Math.imul(h2 ^ c, 1597334677);
    }
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    var hash = 4294967296 * (2097151 & h2) + (h1 >>> 0);
    return "sync-" + chunk.length + "-" + hash.toString(16) + "-" + chunk[0].key;
  }

  function post(chunk) {
    return fetch("/api/v1/meeting-batches", {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "X-CSRF-Token": csrf(),
        "Idempotency-Key": batchKey(chunk),
        "Accept-Language": document.documentElement.lang || "en"
      },
      body: JSON.stringify({ meetings: chunk.map(function (i) { return i.sheet; }) })
    });
  }

  function errorOf(r) {
    return r.json().then(function (body) {
      return body.error || { message: "HTTP " + r.status };
    }, function () { return { message: "HTTP " + r.status }; });
  }

  /* Send one chunk; resolves to {booked, note}. Each sheet booked or already booked
   * leaves the outbox, each refused one stays with its error. A body the API refuses
   * whole (422 naming meetings[i]: a sheet it cannot read) refuses that sheet and the
   * rest is sent again; anything else (401, 403, 429, 5xx) keeps every sheet queued. */
  function sendChunk(chunk, booked) {
    if (!chunk.length) { return Promise.resolve({ booked: booked, note: "" }); }
    return post(chunk).then(function (r) {
      if (r.status === 200) {
        return r.json().then(function (body) {
          var gone = {};
          var refused = {};
          body.results.forEach(function (res) {
            var item = chunk[res.index];
            if (res.status === "refused") {
              refused[item.key] = (res.error && res.error.message) || res.status;
            } else {
              gone[item.key] = true;
              booked += 1;
            }
          });
          save(load().filter(function (i) { return !gone[i.key]; }).map(function (i) {
            if (refused[i.key]) { i.error = refused[i.key]; }
            return i;
          }));
          return { booked: booked, note: "" };
        });
      }
      return errorOf(r).then(function (error) {
        var which = r.status === 422 && /^meetings\[(\d+)\]\.?/.exec(error.field || "");
        if (!which || !chunk[+which[1]]) {
          return { booked: booked, note: r.status === 403 ? error.message : "" };
        }
        var bad = chunk[+which[1]];
        save(load().map(function (i) {
          if (i.key === bad.key) { i.error = error.message.replace(which[0], ""); }
          return i;
        }));
        return sendChunk(chunk.filter(function (i) { return i.key !== bad.key; }), booked);
      });
    });
  }

  function sync() {
    if (sending || !navigator.onLine) { return; }
    var pending = load().filter(function (i) { return !i.error; });
    if (!pending.length) { show(); return; }
    sending = true;
    show(say("sending", pending.length));
    var booked = 0;
    var note = "";
    var chain = Promise.resolve();
    for (var start = 0; start < pending.length; start += BATCH) {
      (function (chunk) {
        chain = chain.then(function () {
          if (note) { return; }
          return sendChunk(chunk, 0).then(function (done) {
            booked += done.booked;
            note = done.note;
          });
        });
      })(pending.slice(start, start + BATCH));
    }
    chain.catch(function () { /* the connection dropped again: the rest waits */ })
      .then(function () {
        sending = false;
        var left = load().filter(function (i) { return !i.error; }).length;
        show(note || (booked && !left ? say("synced", booked) : ""));
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
