/* PhòngDịch staff scanner (/staff/checkpoints/<code>/scan).
 *
 * A personal QR holds "PD1:<token>". Scan (camera, or typed/pasted, or a keyboard-wedge scanner
 * into the manual box) -> one-tap confirm panel -> POST /api/v1/checkins with source "scan".
 *
 * Every confirmed scan is written to localStorage *before* it is sent, with its own client_id and
 * the time of the scan, and leaves the queue only when the server has answered. So a dropped
 * connection, a closed tab or a flat battery loses nothing; the queue is retried on the "online"
 * event, on a timer and on page load. Re-sending a client_id the server already has is harmless:
 * it answers 200 with the same visit.
 */
(function () {
  "use strict";

  var QUEUE_KEY = "phongdich.scanner.queue.v1";
  var SKEW_KEY = "phongdich.scanner.clockSkew";
  var RETRY_MS = 15000;
  var REQUEST_TIMEOUT_MS = 20000;
  var SAME_CODE_MS = 4000; // a code still in front of the camera is the same scan, not a new one
  var FRAME_MS = 250;
  var TOKEN_RE = /^[A-Za-z0-9_-]{16,64}$/;

  var root = document.getElementById("scanner");
  if (!root) return;
  root.hidden = false;

  function $(id) { return document.getElementById(id); }
  var cfg = root.dataset;
  var english = (document.documentElement.lang || "vi").slice(0, 2) === "en";
  var texts = {};
  document.querySelectorAll("#scanner-messages [data-msg]").forEach(function (el) {
    texts[el.dataset.msg] = el.textContent.trim();
  });
  function t(key) { return texts[key] || key; }

  // ---------------------------------------------------------------- helpers

  function uuid4() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    // crypto.randomUUID needs a secure context; getRandomValues works on plain http too.
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function pad(n, width) { return String(n).padStart(width || 2, "0"); }

  // ISO 8601 in the device's local time with its offset, e.g. 2025-03-01T08:15:02.120+07:00.
  function isoWithOffset(d) {
    var off = -d.getTimezoneOffset();
    var sign = off >= 0 ? "+" : "-";
    off = Math.abs(off);
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" +
      pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds()) + "." +
      pad(d.getMilliseconds(), 3) + sign + pad(Math.floor(off / 60)) + ":" + pad(off % 60);
  }

  function hhmm(iso) {
    var d = new Date(iso);
    return isNaN(d) ? "" : pad(d.getHours()) + ":" + pad(d.getMinutes());
  }

  // Cheap phones often run minutes off. The server refuses scan times in the future, so the
  // offset to the server's clock (from the Date header) is remembered and applied to scan times.
  function clockSkew() { return Number(readStorage(SKEW_KEY)) || 0; }
  function noteServerClock(response) {
    var server = Date.parse(response.headers.get("Date") || "");
    if (isNaN(server)) return;
    var skew = server - Date.now();
    writeStorage(SKEW_KEY, Math.abs(skew) > 30000 ? String(skew) : "0");
  }
  function scanTime() { return isoWithOffset(new Date(Date.now() + clockSkew())); }

  function csrfToken() {
    // The cookie is fresher than the page if the session was renewed in another tab.
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : cfg.csrfToken;
  }

  function errorText(data, response) {
    var e = data && data.errors && data.errors[0];
    if (!e) return "HTTP " + response.status;
    return (english ? e.message_en : e.message_vi) || e.message_en || e.code;
  }

  // ---------------------------------------------------------------- the queue

  var memoryStore = {}; // if localStorage is refused (private mode, quota), at least keep the page's scans
  function readStorage(key) {
    try { return localStorage.getItem(key); } catch (e) { return memoryStore[key] || null; }
  }
  function writeStorage(key, value) {
    try { localStorage.setItem(key, value); } catch (e) { memoryStore[key] = value; }
  }

  function loadQueue() {
    try {
      var queue = JSON.parse(readStorage(QUEUE_KEY) || "[]");
      return Array.isArray(queue) ? queue : [];
    } catch (e) {
      return [];
    }
  }
  function saveQueue(queue) {
    writeStorage(QUEUE_KEY, JSON.stringify(queue));
    showQueueLength(queue);
  }
  function removeFromQueue(clientId) {
    saveQueue(loadQueue().filter(function (entry) { return entry.client_id !== clientId; }));
  }
  function showQueueLength(queue) { $("queue-count").textContent = String((queue || loadQueue()).length); }

  function setOnline(online) {
    var el = $("net-status");
    el.textContent = t(online ? "online" : "offline");
    el.className = online ? "net-on" : "net-off";
  }

  // A request stuck on a half-dead mobile connection would hold the whole queue: give up after
  // a while; sending the same client_id again later is harmless.
  function postJSON(url, body) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller && setTimeout(function () { controller.abort(); }, REQUEST_TIMEOUT_MS);
    return fetch(url, {
      method: "POST", credentials: "same-origin", signal: controller && controller.signal,
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken()},
      body: JSON.stringify(body),
    }).finally(function () { clearTimeout(timer); });
  }

  var uploading = false;
  function upload() {
    if (uploading) return Promise.resolve();
    uploading = true;
    var done = [];
    return uploadNext(done).catch(function () {}).then(function () {
      uploading = false;
      if (done.length) lookUpNames(done);
    });
  }

  // One at a time, oldest first: keeps the server's view in scan order and stops at the first
  // network failure instead of hammering a dead connection.
  function uploadNext(done) {
    var entry = loadQueue()[0];
    if (!entry) return Promise.resolve();
    return postJSON(cfg.checkinUrl, entry).then(function (response) {
      setOnline(true);
      noteServerClock(response);
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (response.ok) {
          removeFromQueue(entry.client_id);
          showRecorded(entry, data);
          done.push({entry: entry, data: data});
          return uploadNext(done);
        }
        if (response.status === 401 || response.status === 403 || response.status === 429 ||
            response.status >= 500) {
          // Logged out, stale CSRF token, rate limit or server trouble: not the scan's fault, keep it.
          showEntry(entry, "queued", t("queued") + " — " +
                    (response.status === 403 ? t("login_again") : errorText(data, response)));
          return undefined;
        }
        // The server looked at this scan and refused it (unknown code, venue closed…): retrying
        // cannot help, so it leaves the queue and the refusal stays on screen.
        removeFromQueue(entry.client_id);
        showEntry(entry, "failed", t("failed") + ": " + errorText(data, response));
        return uploadNext(done);
      });
    }, function () {
      setOnline(false);
    });
  }

  // ---------------------------------------------------------------- results on screen

  function itemFor(entry) {
    var list = $("scan-results");
    var li = list.querySelector('li[data-client-id="' + entry.client_id + '"]');
    if (!li) {
      li = document.createElement("li");
      li.dataset.clientId = entry.client_id;
      li.innerHTML = '<strong class="who"></strong> <span class="what"></span> <span class="muted when"></span> <span class="act"></span>';
      list.insertBefore(li, list.firstChild);
    }
    return li;
  }

  function showEntry(entry, state, text) {
    var li = itemFor(entry);
    li.className = state;
    li.dataset.state = state;
    if (!li.querySelector(".who").textContent) {
      li.querySelector(".who").textContent = t("person") + " …" + entry.person_token.slice(-4);
    }
    li.querySelector(".what").textContent = text;
    li.querySelector(".when").textContent = "(" + t("scanned") + " " + hhmm(entry.scanned_at) + ")";
    return li;
  }

  function showRecorded(entry, data) {
    var state = data.flagged ? "flagged" : "ok";
    var what = data.already_inside ? t("already_inside") + " " + hhmm(data.checked_in_at)
      : t("checked_in") + " " + hhmm(data.checked_in_at);
    var li = showEntry(entry, state, what + " · " + (data.flagged ? t("risk") : t("no_risk")) +
                       " · " + t("visit") + " #" + data.visit_id);
    li.dataset.visitId = data.visit_id;
    li.querySelector(".who").textContent = t("person") + " #" + data.person_id;
    if (data.already_inside) li.querySelector(".act").appendChild(checkoutButton(data.visit_id, li));
  }

  // The check-in answer carries ids, not names: one read of the inside list names them all.
  function lookUpNames(done) {
    fetch(cfg.visitsUrl + "?inside=true", {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (visits) {
        var names = {};
        visits.forEach(function (v) { names[v.visit_id] = v.person.full_name; });
        done.forEach(function (item) {
          var name = names[item.data.visit_id];
          if (name) itemFor(item.entry).querySelector(".who").textContent = name;
        });
      })
      .catch(function () {});
  }

  // Someone already inside shows their QR again: most likely they are leaving.
  function checkoutButton(visitId, li) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "secondary";
    button.textContent = t("check_out");
    button.addEventListener("click", function () {
      button.disabled = true;
      postJSON(cfg.checkoutUrl, {visit_id: visitId}).then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) throw new Error(errorText(data, response));
          li.querySelector(".what").textContent = t("checked_out") + " " + hhmm(data.checked_out_at);
          button.remove();
        });
      }).catch(function (error) {
        button.disabled = false;
        li.querySelector(".what").textContent = t("failed") + ": " + error.message;
      });
    });
    return button;
  }

  // ---------------------------------------------------------------- scan -> confirm -> queue

  var panel = $("confirm-panel");
  var pending = null;

  function tokenFrom(text, requirePrefix) {
    text = (text || "").trim();
    var m = /^PD1:(.*)$/i.exec(text);
    if (!m && requirePrefix) return null;
    var token = m ? m[1].trim() : text;
    return TOKEN_RE.test(token) ? token : null;
  }

  function askConfirm(token) {
    // The scan time is when the code was read, not when staff tapped confirm.
    pending = {token: token, scanned_at: scanTime()};
    panel.reset();
    $("confirm-code").textContent = "(" + t("person") + " …" + token.slice(-4) + ")";
    showWho(null);
    preview(pending);
    panel.hidden = false;
    panel.scrollIntoView({block: "nearest"});
    $("scan-confirm").focus();
    if (navigator.vibrate) navigator.vibrate(60);
  }

  // Name and year of birth, so staff compare them with the person before confirming. Offline
  // (or for a code the server does not know yet) the panel works as before, without them.
  function showWho(data) {
    var who = $("confirm-who");
    var inside = $("confirm-inside");
    who.hidden = !data;
    inside.hidden = !(data && data.inside_since);
    if (!data) return;
    $("confirm-name").textContent = data.full_name;
    $("confirm-year").textContent = data.birth_year;
    if (data.inside_since) inside.textContent = t("already_inside") + " " + hhmm(data.inside_since);
  }

  function preview(asked) {
    if (!navigator.onLine || !cfg.previewUrl) return;
    postJSON(cfg.previewUrl, {token: asked.token})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (pending === asked && data) showWho(data); })
      .catch(function () {});
  }

  function closePanel() {
    pending = null;
    panel.hidden = true;
  }

  panel.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!pending) return;
    var form = new FormData(panel);
    var entry = {
      venue: cfg.venue, client_id: uuid4(), person_token: pending.token,
      declaration: {symptoms: form.getAll("symptoms"), exposures: form.getAll("exposures"),
                    conditions: [], travel: [], commitment: true},
      scanned_at: pending.scanned_at, source: "scan",
    };
    var queue = loadQueue();
    queue.push(entry);
    saveQueue(queue);
    showEntry(entry, "queued", t("queued"));
    closePanel();
    $("manual-token").value = "";
    upload();
  });
  $("scan-cancel").addEventListener("click", closePanel);

  $("manual-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var token = tokenFrom($("manual-token").value, false);
    $("manual-error").hidden = !!token;
    $("manual-error").textContent = token ? "" : t("not_personal");
    if (token) askConfirm(token);
  });

  // ---------------------------------------------------------------- camera

  var lastText = "";
  var lastAt = 0;

  function cameraStatus(text) { $("camera-status").textContent = text; }

  function onDecoded(text) {
    var now = Date.now();
    if (text === lastText && now - lastAt < SAME_CODE_MS) {
      lastAt = now;
      return;
    }
    lastText = text;
    lastAt = now;
    var token = tokenFrom(text, true);
    if (token) askConfirm(token);
    else cameraStatus(t("not_personal"));
  }

  // The shared reader (phongdich/camera_qr.js): the browser's own detector when it reads QR
  // codes, otherwise jsQR, fetched only now so the page itself stays small.
  var reader = window.PhongDichCameraQR.create({
    video: $("camera-video"),
    jsqrUrl: cfg.jsqrUrl,
    frameMs: FRAME_MS,
    onCode: onDecoded,
    paused: function () { return !panel.hidden; },
    onStatus: function (key, detail) {
      if (key === "camera_ready") root.dataset.decoder = reader.decoder;
      cameraStatus(t(key) + (detail ? " " + detail : ""));
    },
    onChange: function (running) {
      $("camera-start").hidden = running;
      $("camera-stop").hidden = !running;
    },
  });

  $("camera-start").addEventListener("click", reader.start);
  $("camera-stop").addEventListener("click", reader.stop);
  window.addEventListener("pagehide", reader.stop);
  // Camera already allowed for this site: open it straight away, one tap less per shift.
  if (navigator.permissions && navigator.permissions.query) {
    navigator.permissions.query({name: "camera"}).then(function (p) {
      if (p.state === "granted") reader.start();
    }).catch(function () {});
  }

  // ---------------------------------------------------------------- start

  $("queue-upload").addEventListener("click", upload);
  window.addEventListener("online", function () { setOnline(true); upload(); });
  window.addEventListener("offline", function () { setOnline(false); });
  // Another tab of this site changed the queue.
  window.addEventListener("storage", function (event) { if (event.key === QUEUE_KEY) showQueueLength(); });
  setInterval(function () { if (loadQueue().length) upload(); }, RETRY_MS);

  setOnline(navigator.onLine !== false);
  loadQueue().forEach(function (entry) { showEntry(entry, "queued", t("queued")); });
  showQueueLength();
  upload();
})();
