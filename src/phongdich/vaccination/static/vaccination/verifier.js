/* PhòngDịch certificate verifier (/xac-thuc): scan the QR code with the camera and submit it.
 *
 * The page works without this script (paste the HC1: text and press Verify). With it, a camera
 * button appears; the browser's BarcodeDetector reads the code when it can, otherwise jsQR
 * (vendored, loaded only on demand). A code starting with "HC1:" fills the text box and the form
 * is submitted, so the server does the verification either way.
 */
(function () {
  "use strict";

  var root = document.getElementById("scanner");
  var form = document.getElementById("verify-form");
  var box = document.getElementById("hc1");
  if (!root || !form || !box) return;
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
  root.hidden = false;

  var FRAME_MS = 200;
  var video = document.getElementById("camera-video");
  var status = document.getElementById("camera-status");
  var texts = {};
  var template = document.getElementById("scanner-messages");
  Array.prototype.forEach.call(template.content.querySelectorAll("[data-msg]"), function (el) {
    texts[el.getAttribute("data-msg")] = el.textContent.trim();
  });
  var stream = null;
  var decode = null;

  function say(key, extra) { status.textContent = (texts[key] || key) + (extra ? " " + extra : ""); }

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = src;
      s.onload = resolve;
      s.onerror = function () { reject(new Error(src)); };
      document.head.appendChild(s);
    });
  }

  function makeDecoder() {
    var native = "BarcodeDetector" in window
      ? BarcodeDetector.getSupportedFormats().catch(function () { return []; })
      : Promise.resolve([]);
    return native.then(function (formats) {
      if (formats.indexOf("qr_code") >= 0) {
        var detector = new BarcodeDetector({formats: ["qr_code"]});
        root.dataset.decoder = "native";
        return function () {
          return detector.detect(video).then(function (codes) { return codes.length ? codes[0].rawValue : null; });
        };
      }
      say("camera_loading");
      return loadScript(root.dataset.jsqrUrl).then(function () {
        root.dataset.decoder = "jsqr";
        var canvas = document.createElement("canvas");
        var ctx = canvas.getContext("2d", {willReadFrequently: true});
        return function () {
          var w = video.videoWidth, h = video.videoHeight;
          if (!w || !h) return Promise.resolve(null);
          // HC1 codes are dense: keep more pixels than for short codes.
          var scale = Math.min(1, 1024 / Math.max(w, h));
          canvas.width = Math.round(w * scale);
          canvas.height = Math.round(h * scale);
          ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
          var image = ctx.getImageData(0, 0, canvas.width, canvas.height);
          var code = window.jsQR(image.data, image.width, image.height, {inversionAttempts: "dontInvert"});
          return Promise.resolve(code ? code.data : null);
        };
      });
    });
  }

  function found(text) {
    if (!/^HC1:/.test(text.trim())) { say("not_hc1"); return false; }
    stop();
    box.value = text.trim();
    form.submit();
    return true;
  }

  function frame() {
    if (!stream) return;
    if (!decode || video.readyState < 2) { setTimeout(frame, FRAME_MS); return; }
    decode().then(function (text) {
      if (!(text && found(text))) setTimeout(frame, FRAME_MS);
    }, function () { setTimeout(frame, FRAME_MS); });
  }

  function start() {
    navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}, audio: false})
      .then(function (s) {
        stream = s;
        video.srcObject = s;
        video.hidden = false;
        document.getElementById("camera-start").hidden = true;
        document.getElementById("camera-stop").hidden = false;
        return video.play().then(makeDecoder).then(function (d) { decode = d; say("camera_ready"); frame(); });
      })
      .catch(function (error) { stop(); say("camera_failed", error && error.name); });
  }

  function stop() {
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    video.srcObject = null;
    video.hidden = true;
    document.getElementById("camera-start").hidden = false;
    document.getElementById("camera-stop").hidden = true;
  }

  document.getElementById("camera-start").addEventListener("click", start);
  document.getElementById("camera-stop").addEventListener("click", stop);
  window.addEventListener("pagehide", stop);
})();
