/* Staff epidemic map: wards coloured by published level with toggleable layers. Wards with an
   uploaded position are drawn there; the others in a grid. Leaflet 1.9.4 (vendor/leaflet). */
(function () {
  "use strict";
  var box = document.getElementById("map");
  var T = JSON.parse(document.getElementById("map-text").textContent);
  var COLOURS = {1: "#2e9e44", 2: "#f2c500", 3: "#f07d00", 4: "#d7191c"};
  fetch(box.getAttribute("data-src"), {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (d) {
    var placed = d.wards.filter(function (w) { return w.lat !== null; });
    var geo = placed.length > 0;
    var map = L.map(box, geo ? {} : {crs: L.CRS.Simple, minZoom: -3});
    var pos = {};
    var cols = Math.max(1, Math.ceil(Math.sqrt(d.wards.length)));
    d.wards.forEach(function (w, i) {
      pos[w.code] = geo ? (w.lat !== null ? [w.lat, w.lon] : null) : [-Math.floor(i / cols) - 0.45, (i % cols) + 0.45];
    });
    if (!geo || placed.length < d.wards.length) document.getElementById("map-note").textContent = T.grid;
    var base = L.featureGroup().addTo(map);
    d.wards.forEach(function (w) {
      if (!pos[w.code]) return;
      var m = geo ? L.circleMarker(pos[w.code], {radius: 8}) :
        L.rectangle([[pos[w.code][0] + 0.45, pos[w.code][1] - 0.45], [pos[w.code][0] - 0.45, pos[w.code][1] + 0.45]]);
      m.setStyle({weight: 1, color: "#333", fillColor: COLOURS[w.level] || "#ccc", fillOpacity: 0.8});
      m.bindTooltip(w.name).bindPopup(w.name + "<br>" + w.cases_7d + " / " + w.cases_14d + " " + T.cases);
      base.addLayer(m);
    });
    function byWard(rows, label, colour) {
      var g = L.featureGroup();
      rows.forEach(function (r) {
        var p = pos[r.ward_id];
        if (p) g.addLayer(L.circleMarker(p, {radius: 4 + Math.min(r.n, 10), color: colour}).bindTooltip(r.n + " " + label));
      });
      return g;
    }
    var STATES = {open: "#ef6c00", overdue: "#c62828", done: "#2e7d32"};
    function text(s) { var e = document.createElement("span"); e.textContent = s; return e.innerHTML; }
    function label(p) {  // the band's name in the page's language, else its key
      var pair = p.band_label || [];
      return (document.documentElement.lang === "en" ? pair[1] : pair[0]) || p.band;
    }
    function inspectionLayer(fc) {
      var g = L.featureGroup();
      fc.features.forEach(function (f) {
        var p = f.properties;
        var at = f.geometry && geo ? [f.geometry.coordinates[1], f.geometry.coordinates[0]] : pos[p.ward];
        if (!at) return;
        var html = "<strong>" + text(p.business) + "</strong><br>" + text(T.band) + ": " + text(label(p)) +
          "<br>" + text(T.states[p.state]) + " · " + p.fixes_open + " " + text(T.fixes_due) +
          (p.fixes_overdue ? " (" + p.fixes_overdue + " " + text(T.overdue) + ")" : "") +
          (p.position === "ward" ? "<br><em>" + text(T.at_ward) + "</em>" : "") +
          (p.url ? '<br><a href="' + encodeURI(p.url) + '">' + text(T.open_task) + "</a>" : "");
        g.addLayer(L.circleMarker(at, {radius: 7, color: STATES[p.state], fillColor: STATES[p.state], fillOpacity: 0.7})
          .bindTooltip(text(p.business)).bindPopup(html));
      });
      return g;
    }
    var layers = {
      cases: L.featureGroup(d.wards.filter(function (w) { return w.cases_14d > 0 && pos[w.code]; }).map(function (w) {
        return L.circleMarker(pos[w.code], {radius: 3 + Math.min(Math.sqrt(w.cases_14d) * 2, 14), color: "#7b1fa2", fillOpacity: 0.4}).bindTooltip(w.cases_14d + " " + T.cases);
      })),
      clusters: L.featureGroup(d.clusters.filter(function (c) { return c.lat !== null || pos[c.ward]; }).map(function (c) {
        return L.circleMarker(c.lat !== null && geo ? [c.lat, c.lon] : pos[c.ward], {radius: 10, color: "#000", dashArray: "3"}).bindTooltip(T.cluster + ": " + c.venue + " (" + c.cases + ")");
      })),
      venues: L.featureGroup(geo ? d.venues.map(function (v) {
        return L.circleMarker([v.lat, v.lon], {radius: 3, color: "#1565c0"}).bindTooltip(v.name + ": " + v.visits_7d + " " + T.visits);
      }) : []),
      sampling: byWard(d.sampling_sessions, T.sessions, "#00838f"),
      vaccination: byWard(d.vaccination_sessions, T.sessions, "#2e7d32"),
      inspections: inspectionLayer(d.inspections)
    };
    document.querySelectorAll("[data-layer]").forEach(function (box) {
      var layer = layers[box.getAttribute("data-layer")];
      function sync() { if (box.checked) layer.addTo(map); else map.removeLayer(layer); }
      box.addEventListener("change", sync);
      sync();
    });
    if (base.getLayers().length) map.fitBounds(base.getBounds().pad(0.1)); else map.setView([0, 0], 0);
  });
})();
