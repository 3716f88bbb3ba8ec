/* PhòngDịch sampling session (/staff/testing/<id>/): read a personal QR or a tube label with the
 * phone's camera instead of a hand-held scanner.
 *
 * Every field stays a plain input (a keyboard-wedge scanner or typing works without this script).
 * With it, each button marked data-camera-target opens one shared camera panel below the button;
 * the code read fills the field. A personal QR (PD1:<token>) then sends its form, as a hand-held
 * scanner's Enter would; a tube code only fills its field, unless the button says
 * data-camera-submit. The server checks every code either way.
 */
(function () {
  "use strict";

  var panel = document.getElementById("camera-panel");
  var buttons = document.querySelectorAll("button[data-camera-target]");
  if (!panel || !buttons.length || !window.PhongDichCameraQR) return;

  var status = document.getElementById("camera-status");
  var texts = {};
  var template = document.getElementById("scanner-messages");
  Array.prototype.forEach.call(template.content.querySelectorAll("[data-msg]"), function (el) {
    texts[el.getAttribute("data-msg")] = el.textContent.trim();
  });
  var PERSONAL = /^PD1:\S+$/i;
  // Tube and pool codes: letters and digits, printed in groups; the check character is the
  // server's business.
  var CODE = /^[0-9A-Za-z]{4,20}$/;
  var target = null; // the button whose field the camera fills

  function say(key, extra) {
    status.textContent = (texts[key] || key) + (extra ? " " + extra : "");
  }

  var reader = window.PhongDichCameraQR.create({
    video: document.getElementById("camera-video"),
    jsqrUrl: panel.dataset.jsqrUrl,
    onStatus: function (key, detail) {
      if (key === "camera_ready") panel.dataset.decoder = reader.decoder;
      if (key === "camera_unavailable" || key === "camera_failed") markActive(null);
      say(key, detail);
    },
    onChange: function (running) {
      panel.dataset.state = running ? "running" : "stopped";
      if (!running) markActive(null);
    },
    onCode: found,
  });

  function markActive(button) {
    Array.prototype.forEach.call(buttons, function (b) {
      b.setAttribute("aria-pressed", b === button ? "true" : "false");
    });
  }

  function accepts(kind, text) {
    if (kind === "personal") return PERSONAL.test(text);
    return CODE.test(text.replace(/[\s_-]/g, ""));
  }

  function found(text) {
    if (!target) return;
    text = text.trim();
    var kind = target.dataset.cameraKind;
    if (!accepts(kind, text)) {
      say(kind === "personal" ? "not_personal" : "not_tube");
      return;
    }
    var input = document.getElementById(target.dataset.cameraTarget);
    var submit = target.hasAttribute("data-camera-submit");
    reader.stop();
    panel.hidden = true;
    target = null;
    if (navigator.vibrate) navigator.vibrate(60);
    input.value = text;
    input.dispatchEvent(new Event("input", {bubbles: true}));
    if (!submit) {
      input.focus();
      return;
    }
    var form = input.form;
    if (form.requestSubmit) form.requestSubmit();
    else form.submit();
  }

  function open(button) {
    if (target === button && reader.running()) {
      close();
      return;
    }
    target = button;
    markActive(button);
    button.parentNode.insertBefore(panel, button.nextSibling);
    panel.hidden = false;
    status.textContent = "";
    reader.start();
  }

  function close() {
    reader.stop();
    panel.hidden = true;
    target = null;
  }

  Array.prototype.forEach.call(buttons, function (button) {
    button.hidden = false;
    button.setAttribute("aria-pressed", "false");
    button.addEventListener("click", function () { open(button); });
  });
  document.getElementById("camera-stop").addEventListener("click", close);
  window.addEventListener("pagehide", function () { reader.stop(); });
})();
