/* The public epidemic map: provinces → wards, coloured by approved level. Works without a tile
   server: wards with an uploaded position are drawn at it; otherwise units are laid out in a
   grid (name order), which the note under the map says. Leaflet 1.9.4 (vendor/leaflet). */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("map-config").textContent);
  var T = JSON.parse(document.getElementById("map-text").textContent);
  var ruleSets = JSON.parse(document.getElementById("rule-sets").textContent);
  var legend = JSON.parse(document.getElementById("legend-data").textContent);
  var COLOURS = {1: "#2e9e44", 2: "#f2c500", 3: "#f07d00", 4: "#d7191c"};
  var map = null;
  var units = document.getElementById("units");
  var detail = document.getElementById("detail");
  var crumbs = document.getElementById("crumbs");
  var note = document.getElementById("map-note");

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function levelName(level) {
    for (var i = 0; i < legend.length; i++) if (legend[i].level === level) return legend[i].label;
    return "";
  }
  function ruleText(rs) {
    if (!rs) return "";
    var info = ruleSets[rs.id + " v" + rs.version];
    return info ? info.decision + " (" + rs.id + " v" + rs.version + ")" : rs.id + " v" + rs.version;
  }
  function pct(v) { return v === null || v === undefined ? "—" : String(v).replace(".", ",") + " %"; }
  function num(v) { return v === null || v === undefined ? "—" : String(v).replace(".", ","); }

  function resetMap(simple) {
    if (map) map.remove();
    map = L.map("map", simple ? {crs: L.CRS.Simple, minZoom: -3, attributionControl: false}
                              : {attributionControl: !!cfg.tiles});
    if (!simple && cfg.tiles) L.tileLayer(cfg.tiles, {maxZoom: 18}).addTo(map);
    return map;
  }

  function draw(items, onClick) {
    var placed = items.filter(function (u) { return u.lat !== null && u.lat !== undefined; });
    var layers = [];
    if (placed.length) {
      resetMap(false);
      note.textContent = placed.length < items.length ? T.grid : "";
      placed.forEach(function (u) {
        var m = L.circleMarker([u.lat, u.lon], {radius: 9, weight: 1, color: "#333",
          fillColor: COLOURS[u.level] || "#999", fillOpacity: 0.85});
        m.bindTooltip(u.name).on("click", function () { onClick(u); }).addTo(map);
        layers.push(m);
      });
      map.fitBounds(L.featureGroup(layers).getBounds().pad(0.2));
      return;
    }
    resetMap(true);
    note.textContent = items.length ? T.grid : T.none;
    var cols = Math.max(1, Math.ceil(Math.sqrt(items.length)));
    byLevel(items).forEach(function (u, i) {
      var x = i % cols, y = -Math.floor(i / cols);
      var r = L.rectangle([[y, x], [y - 0.9, x + 0.9]], {weight: 1, color: "#333",
        fillColor: COLOURS[u.level] || "#bbb", fillOpacity: 0.9});
      r.bindTooltip(u.name).on("click", function () { onClick(u); }).addTo(map);
      layers.push(r);
    });
    if (layers.length) map.fitBounds(L.featureGroup(layers).getBounds().pad(0.05));
    else map.setView([0, 0], 0);
  }

  function row(dl, label, value) { dl.appendChild(el("dt", {}, label)); dl.appendChild(el("dd", {}, value)); }

  function showDetail(u, isProvince) {
    detail.hidden = false;
    detail.textContent = "";
    detail.setAttribute("data-unit", u.code);
    var h = el("h2", {}, u.name);
    detail.appendChild(h);
    if (u.level) {
      var p = el("p", {class: "level-line"});
      p.appendChild(el("span", {class: "chip level-" + u.level}));
      p.appendChild(document.createTextNode(levelName(u.level)));
      detail.appendChild(p);
    }
    var dl = el("dl", {id: "detail-numbers"});
    row(dl, T.ruleSet, ruleText(u.rule_set) + (u.unconfirmed && u.unconfirmed.length ? " — " + T.unconfirmed : ""));
    row(dl, T.date, u.assessed_on || "—");
    row(dl, T.cases7, num(u.community_cases_7d));
    row(dl, T.rate7, num(u.rate_7d));
    if (!isProvince) {
      row(dl, T.cases14, num(u.cases_14d));
      row(dl, T.rate14, num(u.rate_14d));
      row(dl, T.cov18, pct(u.coverage_18_one_dose));
      row(dl, T.cov50, pct(u.coverage_50_full));
      row(dl, T.cov65, pct(u.coverage_65_full));
    } else {
      var by = u.wards_by_level || {};
      row(dl, T.wards, [1, 2, 3, 4].map(function (l) { return l + ": " + (by[l] || 0); }).join(" · "));
    }
    detail.appendChild(dl);
    if (isProvince) {
      var b = el("button", {type: "button", id: "open-province"}, T.open);
      b.addEventListener("click", function () { openProvince(u.code, true); });
      detail.appendChild(b);
    }
  }

  /* Without positions the grid and the list are ordered by level, highest first (unrated
     last), then by name: the useful reading when there is no geography to show. */
  function byLevel(items) {
    return items.slice().sort(function (a, b) {
      return (b.level || 0) - (a.level || 0) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    });
  }
  function placedAny(items) {
    return items.some(function (u) { return u.lat !== null && u.lat !== undefined; });
  }

  function list(items, isProvince) {
    units.textContent = "";
    var grouped = !placedAny(items);
    var current = -1;
    (grouped ? byLevel(items) : items).forEach(function (u) {
      if (grouped && (u.level || 0) !== current) {
        current = u.level || 0;
        units.appendChild(el("li", {class: "group", "data-level": current},
          current ? levelName(current) : T.unrated));
      }
      var li = el("li");
      var b = el("button", {type: "button", "data-code": u.code, class: "unit"});
      b.appendChild(el("span", {class: "chip level-" + (u.level || 0)}));
      b.appendChild(el("span", {class: "name"}, u.name));
      b.appendChild(el("span", {class: "meta"}, (u.level ? T.level + " " + u.level : "") +
        (u.assessed_on ? " · " + u.assessed_on : "") + (u.rule_set ? " · " + u.rule_set.id : "")));
      b.addEventListener("click", function () { showDetail(u, isProvince); });
      li.appendChild(b);
      units.appendChild(li);
    });
  }

  function setCrumbs(province) {
    crumbs.textContent = "";
    var top = el("button", {type: "button", class: "link"}, T.country);
    top.addEventListener("click", function () { openCountry(true); });
    crumbs.appendChild(top);
    if (province) { crumbs.appendChild(document.createTextNode(" › ")); crumbs.appendChild(el("strong", {}, province.name)); }
  }

  function get(url) {
    return fetch(url, {headers: {Accept: "application/json"}}).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.json();
    });
  }

  function openCountry(push) {
    if (push) history.pushState({}, "", location.pathname);
    get(cfg.country).then(function (data) {
      detail.hidden = true;
      setCrumbs(null);
      list(data.provinces, true);
      draw(data.provinces, function (u) { showDetail(u, true); });
    });
  }

  function openProvince(code, push) {
    if (push) history.pushState({province: code}, "", "?province=" + code);
    get(cfg.province.replace(/0(\.json)?$/, code + "$1")).then(function (data) {
      detail.hidden = true;
      setCrumbs(data.province);
      list(data.wards, false);
      draw(data.wards, function (u) { showDetail(u, false); });
    });
  }

  window.addEventListener("popstate", function () {
    var m = /province=(\d+)/.exec(location.search);
    if (m) openProvince(m[1], false); else openCountry(false);
  });
  if (cfg.start) openProvince(cfg.start, false); else openCountry(false);
})();
