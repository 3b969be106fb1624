// jurisdex custom comparisons without the server (a static host, or the offline bundle from
// file://): reads the compare page's address as the server's /compare/ does (Selection::parse in
// src/catalog/compare.rs) and draws the table from compare-data.js, whose cells the build made
// with the server's own code (src/catalog/client_compare.rs). This script only picks the columns
// and rows, and writes every text with DOM text nodes, never as HTML.
(function () {
  "use strict";

  // Only the static compare page holds the container; a table already there was drawn by the server.
  var result = document.querySelector("[data-compare-result]");
  if (!result || document.querySelector("table.compare")) return;
  var root = result.getAttribute("data-root") || "";
  var params = new URLSearchParams(window.location.search);

  // Every value of a parameter, joined with commas (`j` and `t` repeat when sent by the form).
  function joined(name) {
    return params.getAll(name).join(",");
  }

  // True when a parameter is present and neither empty nor `0`.
  function flag(name) {
    return params.getAll(name).some(function (v) { return v !== "" && v !== "0"; });
  }

  function keys(list) {
    return list.split(",").map(function (k) { return k.trim(); }).filter(function (k) { return k !== ""; });
  }

  // An element with attributes and children (strings become text nodes).
  function el(name, attributes, children) {
    var node = document.createElement(name);
    Object.keys(attributes || {}).forEach(function (a) { node.setAttribute(a, attributes[a]); });
    (children || []).forEach(function (c) {
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

  function notice(message) {
    result.replaceChildren(el("p", { class: "notice", role: "alert" }, [message]));
  }

  var data = window.JURISDEX_COMPARE;
  if (!data) {
    if (params.has("j")) {
      notice("Custom comparisons are not available on this copy of the site: its comparison data (assets/compare-data.js) is missing. Open a ready-made comparison below.");
    }
    return;
  }

  // A jurisdiction by id, alias or ISO code, in any case.
  function find(key) {
    key = key.trim().toLowerCase();
    for (var i = 0; i < data.entries.length; i++) {
      var j = data.entries[i];
      if (j.id === key || j.iso.toLowerCase() === key || j.aliases.indexOf(key) >= 0) return j;
    }
    return null;
  }

  // The selection the address asks for, or {error} with the server's message.
  function selection() {
    var chosen = [];
    var jkeys = keys(joined("j"));
    for (var i = 0; i < jkeys.length; i++) {
      var j = find(jkeys[i]);
      if (!j) {
        return { error: "unknown jurisdiction `" + jkeys[i] + "`: use an id such as `indonesia` or an ISO code such as `ID`" };
      }
      if (chosen.indexOf(j) < 0) chosen.push(j);
    }
    if (chosen.length > data.max) {
      return { error: chosen.length + " jurisdictions chosen: compare at most " + data.max + " at a time" };
    }
    var safeguards = [];
    var tkeys = keys(joined("t"));
    for (var k = 0; k < tkeys.length; k++) {
      var wanted = tkeys[k].replace(/-/g, "_");
      var row = data.rows.findIndex(function (r) { return r.safeguard && r.key === wanted; });
      if (row < 0) return { error: "unknown safeguard `" + tkeys[k] + "`: use keys such as `judicial_authorisation`" };
      if (safeguards.indexOf(row) < 0) safeguards.push(row);
    }
    if (!safeguards.length) {
      data.rows.forEach(function (r, at) { if (r.safeguard) safeguards.push(at); });
    }
    var benchmark = null;
    var bench = joined("bench").trim();
    if (bench !== "") {
      benchmark = find(bench);
      if (!benchmark) return { error: "unknown benchmark jurisdiction `" + bench + "`" };
    }
    return { jurisdictions: chosen, safeguards: safeguards, differencesOnly: flag("diff"), benchmark: benchmark };
  }

  // The columns in display order: the benchmark first (if not also chosen), then the choice.
  function columns(s) {
    var out = s.benchmark ? [{ entry: s.benchmark, benchmark: true }] : [];
    s.jurisdictions.forEach(function (j) {
      if (!s.benchmark || s.benchmark.id !== j.id) out.push({ entry: j, benchmark: false });
    });
    return out;
  }

  // What a row compares: the cell's answer, written only when it is not the text.
  function answer(cell) {
    return cell.answer === undefined ? cell.text : cell.answer;
  }

  // The rows shown (safeguards chosen, then every fact), the labels hidden as not differing, and
  // for each shown cell the label of a row above citing exactly its sources (as `table` does).
  function table(s) {
    var cols = columns(s);
    var order = s.safeguards.concat(data.rows.map(function (r, at) { return r.safeguard ? -1 : at; })
      .filter(function (at) { return at >= 0; }));
    var rows = order.map(function (at) {
      var cells = cols.map(function (c) { return { cell: c.entry.cells[at], sourcesAs: null }; });
      var differs = cells.some(function (c, i) { return i > 0 && answer(c.cell) !== answer(cells[i - 1].cell); });
      return { row: data.rows[at], cells: cells, differs: differs };
    });
    var hidden = [];
    if (s.differencesOnly) {
      rows = rows.filter(function (r) {
        if (!r.differs) hidden.push(r.row.label);
        return r.differs;
      });
    }
    cols.forEach(function (c, column) {
      var citedBy = {};
      rows.forEach(function (r) {
        var cell = r.cells[column];
        if (!cell.cell.sources.length) return;
        var key = cell.cell.sources.join(",");
        if (Object.prototype.hasOwnProperty.call(citedBy, key)) cell.sourcesAs = citedBy[key];
        else citedBy[key] = r.row.label;
      });
    });
    // The print notes: each source numbered at its first citation by a cell that lists its own.
    var notes = [];
    rows.forEach(function (r) {
      r.cells.forEach(function (cell) {
        if (cell.sourcesAs !== null) return;
        cell.notes = cell.cell.sources.map(function (at) {
          var n = notes.indexOf(at);
          if (n < 0) n = notes.push(at) - 1;
          return n + 1;
        });
      });
    });
    return { columns: cols, rows: rows, hidden: hidden, notes: notes };
  }

  // Note numbers as a reader writes them: [6, 7, 8, 9, 11] → "6–9, 11" (`number_ranges` in
  // src/render/mod.rs).
  function numberRanges(numbers) {
    var sorted = numbers.slice().sort(function (a, b) { return a - b; })
      .filter(function (n, i, all) { return i === 0 || n !== all[i - 1]; });
    var parts = [];
    for (var at = 0; at < sorted.length;) {
      var end = at;
      while (end + 1 < sorted.length && sorted[end + 1] === sorted[end] + 1) end += 1;
      parts.push(end === at ? String(sorted[at]) : end - at === 1 ? sorted[at] + ", " + sorted[end] : sorted[at] + "\u2013" + sorted[end]);
      at = end + 1;
    }
    return parts.join(", ");
  }

  // The address of this selection, written as the server writes its "Link to this comparison".
  function query(s) {
    var q = "j=" + s.jurisdictions.map(function (j) { return j.id; }).join(",");
    var all = data.rows.filter(function (r) { return r.safeguard; }).length;
    if (s.safeguards.length < all) {
      q += "&t=" + s.safeguards.map(function (at) { return data.rows[at].key; }).join(",");
    }
    if (s.differencesOnly) q += "&diff=1";
    if (s.benchmark) q += "&bench=" + s.benchmark.id;
    return q;
  }

  function badge(value, confidence) {
    var text = data.values[value];
    var parts = [el("span", { class: "sym", "aria-hidden": "true" }, [text.symbol]), " " + text.label];
    if (confidence && value !== "unknown") {
      parts.push(" ", el("span", { class: "conf c-" + confidence }, ["(" + confidence + ")"]));
    }
    return el("span", { class: "badge v-" + value }, parts);
  }

  function cellElement(shown, benchmark) {
    var cell = shown.cell;
    var td = el("td", benchmark ? { class: "benchmark" } : {});
    if (cell.value) td.appendChild(el("a", { href: root + cell.href }, [badge(cell.value, cell.confidence)]));
    td.appendChild(el("p", { class: "cell-text" }, [cell.text]));
    if (cell.provision) td.appendChild(el("p", { class: "provisions-line" }, [cell.provision]));
    var cites = el("div", { class: "cites" }, [el("a", { href: root + cell.href }, ["Entry"])]);
    if (shown.sourcesAs !== null) {
      cites.append(" ", el("span", { class: "sources-as" }, ["Sources as for " + shown.sourcesAs]));
    } else if (cell.sources.length) {
      var n = cell.sources.length;
      var list = el("ul", {}, cell.sources.map(function (at) {
        var s = data.sources[at];
        return el("li", {}, [s.href ? el("a", { href: s.href, rel: "noopener noreferrer" }, [s.title]) : s.title]);
      }));
      cites.append(" ", el("details", { class: "cell-sources screen-only" }, [
        el("summary", {}, [n + " source" + (n === 1 ? "" : "s")]), list,
      ]), " ", el("span", { class: "print-only" }, ["Sources " + numberRanges(shown.notes)]));
    }
    td.appendChild(cites);
    return td;
  }

  function draw(s, t) {
    var meta = t.columns.length + " jurisdictions · " + t.rows.length + " rows";
    if (t.hidden.length) meta += ". Hidden because every jurisdiction has the same answer: " + t.hidden.join(", ");
    var head = el("tr", {}, [el("th", { scope: "col" }, ["Safeguard or fact"])]);
    t.columns.forEach(function (c) {
      var th = el("th", { scope: "col" }, [el("a", { href: root + c.entry.href }, [c.entry.name])]);
      if (c.benchmark) th.append(" ", el("span", { class: "tag" }, ["benchmark"]));
      head.appendChild(th);
    });
    var body = el("tbody", {}, t.rows.map(function (r) {
      var th = el("th", { scope: "row" }, [r.row.href ? el("a", { href: root + r.row.href }, [r.row.label]) : r.row.label]);
      if (r.differs) th.append(" ", el("span", { class: "tag" }, ["differs"]));
      var tr = el("tr", r.differs ? { class: "differs" } : {}, [th]);
      r.cells.forEach(function (shown, column) { tr.appendChild(cellElement(shown, t.columns[column].benchmark)); });
      return tr;
    }));
    var caption = el("caption", { class: "visually-hidden" }, [document.querySelector("h1").textContent]);
    result.replaceChildren(
      el("p", { class: "meta" }, [meta, el("span", { class: "screen-only" }, [
        " · ", el("a", { href: "index.html?" + query(s) }, ["Link to this comparison"]),
      ])]),
      el("div", { class: "table-scroll", role: "region", "aria-label": "Comparison table", tabindex: "0" }, [
        el("table", { class: "compare" }, [caption, el("thead", {}, [head]), body]),
      ]),
    );
    if (t.notes.length) {
      result.appendChild(el("section", { class: "print-only source-notes", "aria-label": "Sources cited in the table" }, [
        el("h2", {}, ["Sources"]),
        el("ol", {}, t.notes.map(function (at) {
          var s = data.sources[at];
          return el("li", {}, [s.url ? s.title + ", " + s.url : s.title]);
        })),
      ]));
    }
  }

  // The form shows the selection drawn, so that it can be changed.
  function fill(s) {
    var form = document.getElementById("compare-form");
    if (!form) return;
    var ids = s.jurisdictions.map(function (j) { return j.id; });
    var rowKeys = s.safeguards.map(function (at) { return data.rows[at].key; });
    form.querySelectorAll("input[name=j]").forEach(function (input) {
      if (input.type === "checkbox") input.checked = ids.indexOf(input.value) >= 0;
      else input.value = ids.join(", ");
    });
    form.querySelectorAll("input[name=t]").forEach(function (input) {
      input.checked = rowKeys.indexOf(input.value) >= 0;
    });
    form.querySelectorAll("input[name=diff]").forEach(function (input) { input.checked = s.differencesOnly; });
    var bench = form.querySelector("[name=bench]");
    if (bench) bench.value = s.benchmark ? s.benchmark.id : "";
  }

  var s = selection();
  if (s.error) {
    notice(s.error);
    return;
  }
  fill(s);
  if (s.jurisdictions.length >= data.min) {
    draw(s, table(s));
  } else if (s.jurisdictions.length) {
    notice("Choose at least " + data.min + " jurisdictions to compare.");
  }
})();
