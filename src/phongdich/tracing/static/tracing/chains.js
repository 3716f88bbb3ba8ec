// Transmission-chain view: fetches the graph JSON and draws it with cytoscape (this page only).
(function () {
  var box = document.getElementById("chain-graph");
  var form = document.getElementById("chain-filters");
  var query = [["ward_code", "ward"], ["since", "since"], ["until", "until"]].map(function (p) {
    var value = form.elements[p[1]].value.trim();
    if (p[1] === "ward") {  // the picker's "Phường Hạc Thành (14797)", or a typed code
      var code = /(\d{4,5})\)?$/.exec(value);
      value = code ? code[1] : "";
    }
    return value ? p[0] + "=" + encodeURIComponent(value) : "";
  }).filter(Boolean).concat(form.elements.f2.checked ? [] : ["depth=1"]).join("&");
  var url = box.dataset.url + (query ? "?" + query : "");
  fetch(url, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (g) {
    var colors = {F0: "#b42318", F1: "#d97706", F2: "#2563eb", venue: "#555", window: "#7c3aed"};
    var big = g.nodes.length > 50;
    var nodes = g.nodes, edges = g.edges, parentOf = {}, f2Count = {};
    if (big) {
      // Past 50 nodes: F2 become a count on whoever exposed them, and everyone exposed at
      // one checkpoint only is drawn inside that checkpoint's box (cluster by venue).
      var kindOf = {};
      nodes.forEach(function (n) { kindOf[n.id] = n.kind; });
      edges.forEach(function (e) {
        if (kindOf[e.target] === "F2") f2Count[e.source] = (f2Count[e.source] || 0) + 1;
      });
      nodes = nodes.filter(function (n) { return n.kind !== "F2"; });
      edges = edges.filter(function (e) { return kindOf[e.target] !== "F2"; });
      var venuesOf = {};
      edges.forEach(function (e) {
        if (e.kind === "exposed") (venuesOf[e.target] = venuesOf[e.target] || []).push(e.source);
      });
      Object.keys(venuesOf).forEach(function (id) {
        if (venuesOf[id].length === 1) parentOf[id] = venuesOf[id][0];
      });
      edges = edges.filter(function (e) { return !(e.kind === "exposed" && parentOf[e.target] === e.source); });
    }
    var elements = nodes.map(function (n) {
      var label = n.label;
      if (f2Count[n.id]) label += " (+" + f2Count[n.id] + " F2)";
      if (big && n.kind === "F1") label = "";  // names on tap: 50 names overlap into nothing
      return {data: {id: n.id, label: label, name: n.label, kind: n.kind, parent: parentOf[n.id],
                     href: n.case_id ? "../" + n.case_id + "/" : null}};
    }).concat(edges.map(function (e, i) {
      return {data: {id: "e" + i, source: e.source, target: e.target, kind: e.kind,
                     label: e.minutes && !big ? e.minutes + "'" : ""}};
    }));
    var cy = cytoscape({
      container: box, elements: elements, wheelSensitivity: 0.3,
      layout: {name: "cose", animate: false, nodeRepulsion: 8000},
      style: [
        {selector: "node", style: {"label": "data(label)", "font-size": 9, "width": 18, "height": 18,
          "background-color": function (n) { return colors[n.data("kind")] || "#999"; }}},
        {selector: "node[kind = 'venue']", style: {"shape": "round-rectangle", "width": 14, "height": 14}},
        {selector: ":parent", style: {"background-opacity": 0.08, "border-color": "#555", "border-width": 1,
          "text-valign": "top", "font-size": 10}},
        {selector: "node[kind = 'F0']", style: {"width": 26, "height": 26, "font-weight": "bold"}},
        {selector: "node[kind = 'window']", style: {"shape": "hexagon", "width": 24, "height": 24}},
        {selector: "edge[kind = 'crowd']", style: {"line-style": "dashed", "line-color": "#7c3aed", "target-arrow-color": "#7c3aed"}},
        {selector: "edge", style: {"width": 1.2, "curve-style": "bezier", "target-arrow-shape": "triangle",
          "arrow-scale": 0.7, "label": "data(label)", "font-size": 7, "line-color": "#aab2bd",
          "target-arrow-color": "#aab2bd"}},
        {selector: "edge[kind = 'infected']", style: {"line-color": "#b42318", "target-arrow-color": "#b42318", "width": 3}}
      ]
    });
    cy.on("tap", "node", function (evt) {
      var h = evt.target.data("href");
      if (h) { window.location = h; return; }
      evt.target.data("label", evt.target.data("label") ? "" : evt.target.data("name"));
    });
    var summary = document.getElementById("chain-summary");
    summary.textContent =
      g.nodes.filter(function (n) { return n.kind === "F0"; }).length + " F0 · " +
      g.nodes.filter(function (n) { return n.kind === "F1"; }).length + " F1 · " +
      g.nodes.filter(function (n) { return n.kind === "F2"; }).length + " F2 · " +
      g.nodes.filter(function (n) { return n.kind === "venue"; }).length + " " +
      summary.getAttribute("data-venues") + (big ? " — " + summary.getAttribute("data-grouped") : "");
    summary.setAttribute("data-grouped-view", big ? "1" : "0");
    window.phongdichChain = cy;
  });
})();
