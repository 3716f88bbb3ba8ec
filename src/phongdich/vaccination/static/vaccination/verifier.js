/* PhòngDịch certificate verifier (/xac-thuc): scan the QR code with the camera and submit it.
 *
 * The page works without this script (paste the HC1: text and press Verify). With it, a camera
 * button appears; the shared camera reader (phongdich/camera_qr.js) reads the code. A code
 * starting with "HC1:" fills the text box and the form is submitted, so the server does the
 * verification either way.
 */
(function () {
  "use strict";

  var root = document.getElementById("scanner");
  var form = document.getElementById("verify-form");
  var box = document.getElementById("hc1");
  if (!root || !form || !box) return;
  if (!window.PhongDichCameraQR || !window.PhongDichCameraQR.supported()) return;
  root.hidden = false;

  var status = document.getElementById("camera-status");
  var texts = {};
  var template = document.getElementById("scanner-messages");
  Array.prototype.forEach.call(template.content.querySelectorAll("[data-msg]"), function (el) {
    texts[el.getAttribute("data-msg")] = el.textContent.trim();
  });

  function say(key, extra) { status.textContent = (texts[key] || key) + (extra ? " " + extra : ""); }

  var reader = window.PhongDichCameraQR.create({
    video: document.getElementById("camera-video"),
    jsqrUrl: root.dataset.jsqrUrl,
    maxSide: 1024, // HC1 codes are dense: keep more pixels than for short codes.
    onCode: found,
    onStatus: function (key, detail) {
      if (key === "camera_ready") root.dataset.decoder = reader.decoder;
      say(key, detail);
    },
    onChange: function (running) {
      document.getElementById("camera-start").hidden = running;
      document.getElementById("camera-stop").hidden = !running;
    },
  });

  function found(text) {
    if (!/^HC1:/.test(text.trim())) { say("not_hc1"); return; }
    reader.stop();
    box.value = text.trim();
    form.submit();
  }

  document.getElementById("camera-start").addEventListener("click", reader.start);
  document.getElementById("camera-stop").addEventListener("click", reader.stop);
  window.addEventListener("pagehide", reader.stop);
})();
