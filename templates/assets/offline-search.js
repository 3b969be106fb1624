// jurisdex offline search: searches the prebuilt index in search-index.js, from disk (file://) or
// any static host, without a server. Tokenises exactly like `bundle::tokens` in the Rust code.
(function () {
  "use strict";

  var MAX_HITS = 50;
  var MAX_QUERY = 1000;
  // Scripts written without spaces between words, indexed as character bigrams (see is_unspaced).
  var UNSPACED = /[\u0E00-\u0EFF\u1000-\u109F\uA9E0-\uA9FF\uAA60-\uAA7F\u1780-\u17FF\u19E0-\u19FF\u2E80-\u2FDF\u3040-\u30FF\u3100-\u312F\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\u{20000}-\u{3134F}]/u;
  var WORD = /[\p{Alphabetic}\p{N}]/u;
  var FILTER = /^(kind|jurisdiction|region|grouping):(\S+)$/i;

  // Lower-cased runs of letters and digits, split where the script switches between spaced and
  // unspaced: [{text, unspaced}].
  function runs(text) {
    var out = [], run = "", runUnspaced = false;
    var flush = function () {
      if (run) out.push({ text: run, unspaced: runUnspaced });
      run = "";
    };
    Array.from(text.toLowerCase()).forEach(function (c) {
      var unspaced = UNSPACED.test(c);
      if (!unspaced && !WORD.test(c)) { flush(); return; }
      if (run && unspaced !== runUnspaced) flush();
      runUnspaced = unspaced;
      run += c;
    });
    flush();
    return out;
  }

  function tokens(text) {
    var out = [];
    runs(text).forEach(function (r) {
      var chars = Array.from(r.text);
      if (r.unspaced) {
        for (var i = 0; i + 1 < chars.length; i++) out.push(chars[i] + chars[i + 1]);
      } else if (chars.length >= 2) {
        out.push(r.text);
      }
    });
    return out;
  }

  function unique(list) {
    return list.filter(function (x, i) { return list.indexOf(x) === i; });
  }

  // Intersection of sorted posting lists.
  function intersect(a, b) {
    var out = [], i = 0, j = 0;
    while (i < a.length && j < b.length) {
      if (a[i] === b[j]) { out.push(a[i]); i++; j++; }
      else if (a[i] < b[j]) i++;
      else j++;
    }
    return out;
  }

  // Union of sorted posting lists.
  function union(a, b) {
    var out = [], i = 0, j = 0;
    while (i < a.length || j < b.length) {
      if (j >= b.length || (i < a.length && a[i] < b[j])) out.push(a[i++]);
      else if (i >= a.length || b[j] < a[i]) out.push(b[j++]);
      else { out.push(a[i]); i++; j++; }
    }
    return out;
  }

  // Words (all must match), `-word` exclusions and `name:value[,value]` filters, as on the server.
  function parse(q) {
    var query = { terms: [], filters: [], excluded: [] };
    q.split(/\s+/).forEach(function (part) {
      var filter = FILTER.exec(part);
      if (filter) {
        query.filters.push(filter[2].toLowerCase().split(",").filter(Boolean).map(function (v) {
          return filter[1].toLowerCase() + ":" + v;
        }));
      } else if (part.charAt(0) === "-" && part.length > 1) {
        var excluded = tokens(part.slice(1));
        if (excluded.length) query.excluded.push(excluded);
      } else {
        query.terms = query.terms.concat(tokens(part));
      }
    });
    query.terms = unique(query.terms);
    return query;
  }

  function postings(index, term) {
    return Object.prototype.hasOwnProperty.call(index.terms, term) ? index.terms[term] : [];
  }

  function search(index, query) {
    var lists = query.terms.map(function (t) { return postings(index, t); });
    query.filters.forEach(function (values) {
      lists.push(values.map(function (v) { return postings(index, v); }).reduce(union, []));
    });
    if (!lists.length) return [];
    lists.sort(function (a, b) { return a.length - b.length; });
    var ids = lists.reduce(intersect);
    query.excluded.forEach(function (words) {
      var out = words.map(function (w) { return postings(index, w); }).reduce(intersect);
      ids = ids.filter(function (id) { return out.indexOf(id) < 0; });
    });
    var terms = query.terms;
    var ranked = ids.map(function (id) {
      var title = tokens(index.docs[id].title);
      var inTitle = terms.filter(function (t) { return title.indexOf(t) >= 0; }).length;
      return { id: id, inTitle: inTitle };
    });
    ranked.sort(function (a, b) { return b.inTitle - a.inTitle || a.id - b.id; });
    return ranked.map(function (r) { return r.id; });
  }

  // Appends `text` to `parent` as text nodes, with each occurrence of a word in <mark>.
  function appendMarked(parent, text, words) {
    var lower = text.toLowerCase();
    var ranges = [];
    // Lower-casing that changes the length would misplace the marks: show the text plain.
    if (lower.length === text.length) {
      words.forEach(function (w) {
        var at = lower.indexOf(w.text);
        while (at >= 0) {
          var before = at > 0 ? lower.charAt(at - 1) : "";
          if (w.unspaced || !before || !WORD.test(before)) ranges.push([at, at + w.text.length]);
          at = lower.indexOf(w.text, at + w.text.length);
        }
      });
    }
    ranges.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
    var last = 0;
    ranges.forEach(function (r) {
      if (r[0] < last) return;
      if (r[0] > last) parent.appendChild(document.createTextNode(text.slice(last, r[0])));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(r[0], r[1]);
      parent.appendChild(mark);
      last = r[1];
    });
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function hit(doc, root, words) {
    var item = element("li", "hit");
    var heading = element("h2");
    var link = element("a", "", doc.title);
    link.setAttribute("href", root + doc.url);
    heading.appendChild(link);
    item.appendChild(heading);
    var crumb = element("p", "crumb", doc.crumb + " · ");
    crumb.appendChild(element("span", "tag kind", doc.kind));
    item.appendChild(crumb);
    var snippet = element("p", "snippet");
    appendMarked(snippet, doc.text, words);
    item.appendChild(snippet);
    return item;
  }

  function run() {
    var container = document.querySelector("[data-offline-results]");
    if (!container) return;
    var root = container.getAttribute("data-root") || "";
    var status = container.querySelector("[data-offline-status]");
    var list = container.querySelector("ol.hits");
    var q = (new URLSearchParams(window.location.search).get("q") || "").slice(0, MAX_QUERY).trim();
    Array.prototype.forEach.call(document.querySelectorAll("input[name=q]"), function (input) {
      input.value = q;
    });
    var index = window.JURISDEX_INDEX;
    if (!index || !index.docs || !index.terms) {
      status.textContent = "The search index could not be loaded (assets/search-index.js).";
      return;
    }
    if (!q) {
      status.textContent = "Search " + index.docs.length + " sections of jurisdex, offline.";
      return;
    }
    document.title = "Search: " + q + " · jurisdex";
    var query = parse(q);
    var ids = search(index, query);
    if (!ids.length) {
      status.textContent = "No results for “" + q + "”. Try fewer or other words.";
      return;
    }
    var count = ids.length + " result" + (ids.length === 1 ? "" : "s") + " for “" + q + "”";
    if (ids.length > MAX_HITS) count += " (showing the first " + MAX_HITS + ")";
    status.textContent = count;
    var words = runs(q.split(/\s+/).filter(function (part) {
      return !FILTER.test(part) && part.charAt(0) !== "-";
    }).join(" ")).filter(function (r) { return r.unspaced || Array.from(r.text).length >= 2; });
    ids.slice(0, MAX_HITS).forEach(function (id) {
      list.appendChild(hit(index.docs[id], root, words));
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", run);
  } else {
    run();
  }
})();
