// jurisdex progressive enhancement: every feature here is optional; pages work without it.
(function () {
  "use strict";

  // Copy-link: permalinks copy their URL to the clipboard; without JS they are plain links.
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-copy-link]");
    if (!link || !navigator.clipboard) return;
    event.preventDefault();
    navigator.clipboard.writeText(link.href).then(function () {
      link.setAttribute("data-copied", "true");
      var status = document.getElementById("copy-status");
      if (status) status.textContent = "Link copied: " + link.href;
      history.replaceState(null, "", link.hash || link.href);
      setTimeout(function () { link.removeAttribute("data-copied"); }, 1500);
    }, function () { window.location.href = link.href; });
  });

  // Matrix filter and sort on the home page.
  var form = document.querySelector("[data-matrix-filter]");
  var table = document.querySelector("table.matrix tbody");
  if (form && table) {
    var apply = function () {
      var grouping = form.elements.grouping.value;
      var region = form.elements.region.value;
      var sort = form.elements.sort.value;
      var rows = Array.prototype.slice.call(table.rows);
      rows.forEach(function (row) {
        var ok = (!grouping || row.dataset.groupings.split(" ").indexOf(grouping) >= 0) &&
                 (!region || row.dataset.region === region);
        row.hidden = !ok;
      });
      rows.sort(function (a, b) {
        if (sort === "score") return parseFloat(b.dataset.score) - parseFloat(a.dataset.score) || a.dataset.name.localeCompare(b.dataset.name);
        return a.dataset.name.localeCompare(b.dataset.name);
      }).forEach(function (row) { table.appendChild(row); });
    };
    var params = new URLSearchParams(window.location.search);
    ["grouping", "region", "sort"].forEach(function (name) {
      if (params.get(name)) form.elements[name].value = params.get(name);
    });
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
    apply();
  }

  // Highlight search terms on the landing section (?hl=terms).
  var hl = new URLSearchParams(window.location.search).get("hl");
  if (hl && window.location.hash) {
    var target = document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
    if (target) {
      var terms = hl.toLowerCase().split(/\s+/).filter(function (t) { return t.length > 2; });
      var walker = document.createTreeWalker(target, NodeFilter.SHOW_TEXT);
      var nodes = [];
      while (walker.nextNode()) nodes.push(walker.currentNode);
      nodes.forEach(function (node) {
        var text = node.nodeValue, lower = text.toLowerCase();
        for (var i = 0; i < terms.length; i++) {
          var at = lower.indexOf(terms[i]);
          if (at >= 0) {
            var mark = document.createElement("mark");
            var middle = node.splitText(at);
            middle.splitText(terms[i].length);
            mark.textContent = middle.nodeValue;
            middle.parentNode.replaceChild(mark, middle);
            break;
          }
        }
      });
    }
  }

  // Dev mode: reload after a successful rebuild (serve --watch).
  if (document.body.dataset.devReload === "true" && window.fetch) {
    var version = null;
    setInterval(function () {
      fetch("/__version", { cache: "no-store" }).then(function (r) { return r.text(); }).then(function (v) {
        if (version !== null && v !== version) window.location.reload();
        version = v;
      }).catch(function () {});
    }, 1000);
  }
})();
