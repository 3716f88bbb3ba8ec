/* PhòngDịch camera QR reader, shared by the pages that read QR codes with a phone's camera
 * (sampling session, checkpoint staff scanner, certificate verifier). No dependencies.
 *
 * The browser's own BarcodeDetector reads the code when it knows QR (Android Chrome); otherwise
 * the vendored jsQR, fetched only when a camera is first opened so the pages themselves stay small.
 *
 *   var reader = PhongDichCameraQR.create({
 *     video: videoElement,
 *     jsqrUrl: "/static/vendor/jsqr/jsQR.js",
 *     maxSide: 640,           // pixels handed to jsQR; dense codes (HC1:) need more
 *     frameMs: 200,           // time between two reads
 *     onCode: function (text) {},          // every decoded text; call reader.stop() when done
 *     onStatus: function (key, detail) {}, // camera_unavailable | camera_loading | camera_ready | camera_failed
 *     onChange: function (running) {},     // camera opened or closed: swap the buttons
 *     paused: function () { return false; } // skip reads, e.g. while a confirm panel is open
 *   });
 *   reader.start(); reader.stop(); reader.running(); reader.decoder ("native" or "jsqr")
 *
 * The page keeps its own texts: this module only names the status by its key.
 */
(function () {
  "use strict";

  var scripts = {};

  function noop() {}

  function supported() {
    return !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
  }

  // Once per page, even with several readers or a camera opened twice.
  function loadScript(src) {
    if (!scripts[src]) {
      scripts[src] = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = src;
        s.onload = resolve;
        s.onerror = function () {
          delete scripts[src];
          s.remove();
          reject(new Error(src));
        };
        document.head.appendChild(s);
      });
    }
    return scripts[src];
  }

  function nativeDetector() {
    if (!("BarcodeDetector" in window)) return Promise.resolve(null);
    return BarcodeDetector.getSupportedFormats().then(function (formats) {
      return formats.indexOf("qr_code") >= 0 ? new BarcodeDetector({formats: ["qr_code"]}) : null;
    }).catch(function () { return null; });
  }

  // Resolves to {name, decode}; decode() resolves to the text of a code in view, or null.
  function makeDecoder(video, jsqrUrl, maxSide, onLoading) {
    return nativeDetector().then(function (detector) {
      if (detector) {
        return {name: "native", decode: function () {
          return detector.detect(video).then(function (codes) { return codes.length ? codes[0].rawValue : null; });
        }};
      }
      onLoading();
      return loadScript(jsqrUrl).then(function () {
        var canvas = document.createElement("canvas");
        var ctx = canvas.getContext("2d", {willReadFrequently: true});
        return {name: "jsqr", decode: function () {
          var w = video.videoWidth;
          var h = video.videoHeight;
          if (!w || !h) return Promise.resolve(null);
          var scale = Math.min(1, maxSide / Math.max(w, h));
          canvas.width = Math.round(w * scale);
          canvas.height = Math.round(h * scale);
          ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
          var image = ctx.getImageData(0, 0, canvas.width, canvas.height);
          var code = window.jsQR(image.data, image.width, image.height, {inversionAttempts: "dontInvert"});
          return Promise.resolve(code ? code.data : null);
        }};
      });
    });
  }

  // getUserMedia refusals carry their reason in the name (NotAllowedError, NotFoundError…).
  function describe(error) {
    if (!error) return "";
    return error.name && error.name !== "Error" ? error.name : String(error.message || error);
  }

  function stopTracks(stream) {
    stream.getTracks().forEach(function (track) { track.stop(); });
  }

  function create(options) {
    var video = options.video;
    var maxSide = options.maxSide || 640;
    var frameMs = options.frameMs || 200;
    var onCode = options.onCode || noop;
    var onStatus = options.onStatus || noop;
    var onChange = options.onChange || noop;
    var paused = options.paused || function () { return false; };
    var stream = null;
    var attempt = 0; // a stop() while the camera is still opening wins over that opening
    var decoder = null;
    var reader = {decoder: null};

    function getDecoder() {
      if (!decoder) {
        decoder = makeDecoder(video, options.jsqrUrl, maxSide, function () { onStatus("camera_loading"); });
        decoder.catch(function () { decoder = null; }); // a failed download may be retried
      }
      return decoder;
    }

    function frame(current, decode) {
      if (stream !== current) return;
      var next = function () { setTimeout(function () { frame(current, decode); }, frameMs); };
      if (paused() || video.readyState < 2) return next();
      decode().then(function (text) {
        if (text && stream === current) onCode(text);
      }, noop).then(next);
    }

    reader.running = function () { return stream !== null; };

    reader.start = function () {
      if (!supported()) {
        onStatus("camera_unavailable");
        return Promise.resolve(false);
      }
      if (stream) return Promise.resolve(true);
      var mine = ++attempt;
      return navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}, audio: false})
        .then(function (s) {
          if (mine !== attempt) {
            stopTracks(s);
            return false;
          }
          stream = s;
          video.srcObject = s;
          video.hidden = false;
          onChange(true);
          return video.play().then(getDecoder).then(function (d) {
            if (stream !== s) return false;
            reader.decoder = d.name;
            onStatus("camera_ready");
            frame(s, d.decode);
            return true;
          });
        })
        .catch(function (error) {
          if (mine !== attempt) return false;
          reader.stop();
          onStatus("camera_failed", describe(error));
          return false;
        });
    };

    reader.stop = function () {
      attempt++;
      var was = stream;
      if (stream) stopTracks(stream);
      stream = null;
      video.srcObject = null;
      video.hidden = true;
      if (was) onChange(false);
    };

    return reader;
  }

  window.PhongDichCameraQR = {create: create, supported: supported};
})();
