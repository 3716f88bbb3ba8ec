// Transmission-chain view: fetches the graph JSON and draws it with cytoscape (this page only).
(function () {
  var box = document.getElementById("chain-graph");
  var form = document.getElementById("chain-filters");
  var query = [["ward_code", "ward"], ["since", "since"], ["until", "until"]].map(function (p) {
    var value = form.elements[p[1]].value;
    return value ? p[0] + "=" + encodeURIComponent(value) : "";
  }).filter(Boolean).concat(form.elements.f2.checked ? [] : ["depth=1"]).join("&");
  var url = box.dataset.url + (query ? "?" + query : "");
  fetch(url, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (g) {
    var colors = {F0: "#b42318", F1: "#d97706", F2: "#2563eb", venue: "#555", window: "#7c3aed"};
    var elements = g.nodes.map(function (n) {
      return {data: {id: n.id, label: n.label, kind: n.kind, href: n.case_id ? "../" + n.case_id + "/" : null}};
    }).concat(g.edges.map(function (e, i) {
      return {data: {id: "e" + i, source: e.source, target: e.target, kind: e.kind,
                     label: e.minutes ? e.minutes + "'" : ""}};
    }));
    var cy = cytoscape({
      container: box, elements: elements, wheelSensitivity: 0.3,
      layout: {name: "cose", animate: false, nodeRepulsion: 8000},
      style: [
        {selector: "node", style: {"label": "data(label)", "font-size": 9, "width": 18, "height": 18,
          "background-color": function (n) { return colors[n.data("kind")] || "#999"; }}},
        {selector: "node[kind = 'venue']", style: {"shape": "round-rectangle", "width": 14, "height": 14}},
        {selector: "node[kind = 'F0']", style: {"width": 26, "height": 26, "font-weight": "bold"}},
        {selector: "node[kind = 'window']", style: {"shape": "hexagon", "width": 24, "height": 24}},
        {selector: "edge[kind = 'crowd']", style: {"line-style": "dashed", "line-color": "#7c3aed", "target-arrow-color": "#7c3aed"}},
        {selector: "edge", style: {"width": 1.2, "curve-style": "bezier", "target-arrow-shape": "triangle",
          "arrow-scale": 0.7, "label": "data(label)", "font-size": 7, "line-color": "#aab2bd",
          "target-arrow-color": "#aab2bd"}},
        {selector: "edge[kind = 'infected']", style: {"line-color": "#b42318", "target-arrow-color": "#b42318", "width": 3}}
      ]
    });
    cy.on("tap", "node", function (evt) { var h = evt.target.data("href"); if (h) { window.location = h; } });
    document.getElementById("chain-summary").textContent =
      g.nodes.filter(function (n) { return n.kind === "F0"; }).length + " F0 · " +
      g.nodes.filter(function (n) { return n.kind === "F1"; }).length + " F1 · " +
      g.nodes.filter(function (n) { return n.kind === "F2"; }).length + " F2 · " +
      g.nodes.filter(function (n) { return n.kind === "venue"; }).length + " venues · " +
      g.nodes.filter(function (n) { return n.kind === "window"; }).length + " windows";
    window.phongdichChain = cy;
  });
})();
