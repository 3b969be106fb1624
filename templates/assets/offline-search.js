// jurisdex offline search: searches the prebuilt index in search-index.js, from disk (file://) or
// any static host, without a server. Tokenises exactly like `client_index::tokens` in the Rust code.
(function () {
  "use strict";

  var MAX_HITS = 50;
  var MAX_QUERY = 1000;
  // Scripts written without spaces between words, indexed as character bigrams (see is_unspaced).
  var UNSPACED = /[\u0E00-\u0EFF\u1000-\u109F\uA9E0-\uA9FF\uAA60-\uAA7F\u1780-\u17FF\u19E0-\u19FF\u2E80-\u2FDF\u3040-\u30FF\u3100-\u312F\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\u{20000}-\u{3134F}]/u;
  var WORD = /[\p{Alphabetic}\p{N}]/u;
  var FILTER = /^(kind|jurisdiction|region|grouping):(\S+)$/i;
  // Citation markers and the words they stand for before a number, as `marker_at` in
  // src/search/citation.rs: a marker, then at most one full stop and spaces, then a digit.
  var MARKERS = {
    section: "section", sections: "section", s: "section", ss: "section", sec: "section",
    secs: "section", sect: "section", sects: "section", "\u00a7": "section", "\u00a7\u00a7": "section",
    article: "article", articles: "article", art: "article", arts: "article",
    paragraph: "paragraph", paragraphs: "paragraph", para: "paragraph", paras: "paragraph",
    "\u00b6": "paragraph", "\u00b6\u00b6": "paragraph"
  };
  var SYMBOL = /[\u00a7\u00b6]/;
  var CITED_NUMBER = /\.?[ \t\n\r\u00a0\u2009\u202f]*[0-9]/y;

  // The word the citation marker at lower.slice(start, end) stands for, or null: not the `s` of
  // a possessive, and followed by a number.
  function markerAt(lower, start, end) {
    var before = lower.charAt(start - 1);
    if (start > 0 && (before === "'" || before === "\u2019")) return null;
    CITED_NUMBER.lastIndex = end;
    if (!CITED_NUMBER.test(lower)) return null;
    var word = lower.slice(start, end);
    return Object.prototype.hasOwnProperty.call(MARKERS, word) ? MARKERS[word] : null;
  }

  // Lower-cased runs of letters and digits, of unspaced scripts and of citation symbols, each
  // with its place in the lower-cased text, the word it stands for if it is a citation marker,
  // and whether the run before it was one (it is then the marker's number):
  // [{text, kind, start, end, marker, cited}].
  function runs(text) {
    var lower = text.toLowerCase();
    var out = [], kind = null, start = 0, at = 0;
    var flush = function () {
      if (kind) {
        var previous = out[out.length - 1];
        out.push({
          text: lower.slice(start, at), kind: kind, start: start, end: at,
          marker: kind === "unspaced" ? null : markerAt(lower, start, at),
          cited: Boolean(previous && previous.marker)
        });
      }
    };
    Array.from(lower).forEach(function (c) {
      var next = UNSPACED.test(c) ? "unspaced" : WORD.test(c) ? "spaced" : SYMBOL.test(c) ? "symbols" : null;
      if (next !== kind) {
        flush();
        kind = next;
        start = at;
      }
      at += c.length;
    });
    flush();
    return out;
  }

  // The tokens of `tokens` in client_index.rs: words of two characters or more, unspaced runs as
  // bigrams, citation markers as the words they stand for, with their numbers however short.
  function tokens(text) {
    var out = [];
    runs(text).forEach(function (r) {
      var chars = Array.from(r.text);
      if (r.kind === "unspaced") {
        for (var i = 0; i + 1 < chars.length; i++) out.push(chars[i] + chars[i + 1]);
      } else if (r.marker) {
        out.push(r.marker);
      } else if (r.kind === "spaced" && (r.cited || chars.length >= 2)) {
        out.push(r.text);
      }
    });
    return out;
  }

  // The query's words split at spaces, a citation marker joined to its number (`s 233`), as the
  // server's query parser joins them.
  function parts(q) {
    var out = [];
    q.split(/\s+/).forEach(function (part) {
      var previous = out[out.length - 1];
      var marker = previous && previous.replace(/^-/, "").replace(/\.$/, "").toLowerCase();
      if (previous && /^[0-9]/.test(part) && Object.prototype.hasOwnProperty.call(MARKERS, marker)) {
        out[out.length - 1] = previous + " " + part;
      } else if (part) {
        out.push(part);
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
    parts(q).forEach(function (part) {
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

  // Appends `text` to `parent` as text nodes, with each occurrence of a word in <mark>, and each
  // citation marker standing for a marker of the query (`s` in `s 233` for `section 233`).
  function appendMarked(parent, text, words) {
    var lower = text.toLowerCase();
    var ranges = [];
    var markers = words.map(function (w) { return w.marker; }).filter(Boolean);
    // Lower-casing that changes the length would misplace the marks: show the text plain.
    if (lower.length === text.length) {
      words.forEach(function (w) {
        if (w.marker) return;
        var at = lower.indexOf(w.text);
        while (at >= 0) {
          var before = at > 0 ? lower.charAt(at - 1) : "";
          if (w.kind === "unspaced" || !before || !WORD.test(before)) ranges.push([at, at + w.text.length]);
          at = lower.indexOf(w.text, at + w.text.length);
        }
      });
      runs(text).forEach(function (r) {
        if (r.marker && markers.indexOf(r.marker) >= 0) ranges.push([r.start, r.end]);
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
    var words = runs(parts(q).filter(function (part) {
      return !FILTER.test(part) && part.charAt(0) !== "-";
    }).join(" ")).filter(function (r) {
      return r.kind === "unspaced" || r.marker || (r.kind === "spaced" && (r.cited || Array.from(r.text).length >= 2));
    });
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
