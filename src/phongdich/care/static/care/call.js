// Teleconsultation: WebRTC between the clinician (who makes the offer) and the patient.
// Signalling by short polling of the server (care/calls.py); media go peer to peer.
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("call-config").textContent);
  var csrf = (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value || "";
  var state = document.getElementById("call-state");
  var pc = new RTCPeerConnection({ iceServers: cfg.iceServers });
  var lastId = 0, pending = [], stopped = false;
  window.phongdichCall = { pc: pc };

  function say(text) { if (state) state.textContent = text; }
  function send(kind, payload) {
    return fetch(cfg.signalUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ kind: kind, payload: payload || {} })
    });
  }
  pc.onicecandidate = function (e) { if (e.candidate) send("candidate", e.candidate.toJSON()); };
  pc.ontrack = function (e) { document.getElementById("remote").srcObject = e.streams[0]; };
  pc.onconnectionstatechange = function () { say(pc.connectionState); };

  async function handle(s) {
    if (s.kind === "offer") {
      await pc.setRemoteDescription(s.payload);
      var answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      await send("answer", { type: answer.type, sdp: answer.sdp });
      flush();
    } else if (s.kind === "answer") {
      await pc.setRemoteDescription(s.payload);
      flush();
    } else if (s.kind === "candidate") {
      if (pc.remoteDescription) await pc.addIceCandidate(s.payload); else pending.push(s.payload);
    } else if (s.kind === "hangup") {
      stop(false);
    }
  }
  function flush() { pending.splice(0).forEach(function (c) { pc.addIceCandidate(c); }); }
  async function poll() {
    if (stopped) return;
    try {
      var r = await fetch(cfg.signalUrl + "?after=" + lastId, { credentials: "same-origin" });
      var data = await r.json();
      for (var i = 0; i < data.signals.length; i++) {
        lastId = data.signals[i].id;
        await handle(data.signals[i]);
      }
      if (data.ended) { stop(false); return; }
    } catch (err) { say(String(err)); }
    setTimeout(poll, 1000);
  }
  function stop(tell) {
    stopped = true;
    if (tell) send("hangup");
    pc.close();
    say("—");
  }
  document.getElementById("hangup").addEventListener("click", function () { stop(true); });

  navigator.mediaDevices.getUserMedia({ audio: true, video: true }).then(async function (stream) {
    document.getElementById("local").srcObject = stream;
    stream.getTracks().forEach(function (t) { pc.addTrack(t, stream); });
    if (cfg.role === "clinician") {
      var offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      await send("offer", { type: offer.type, sdp: offer.sdp });
    }
    poll();
  }).catch(function (err) { say(String(err)); });
})();
