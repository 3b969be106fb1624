// jurisdex progressive enhancement: every feature here is optional; pages work without it.
(function () {
  "use strict";

  // Everything starts once the page has loaded and painted: nothing here may delay what the
  // reader came for on a slow link.
  function start() {
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

    // The cite box: copy buttons, a section's "Cite" pinning its anchor into the citations, and
    // what changed since the version a followed citation names. Without scripts the texts are
    // selectable and "Cite" leads to the box.
    var citeBox = document.querySelector("[data-cite-box]");
    var copyStatus = document.getElementById("copy-status");
    if (citeBox) {
      citeBox.querySelectorAll("button[data-copy]").forEach(function (button) {
        button.hidden = false;
        button.addEventListener("click", function () {
          var field = document.getElementById(button.getAttribute("data-copy"));
          var shown = function (message) {
            if (copyStatus) copyStatus.textContent = message;
            button.setAttribute("data-copied", "true");
            setTimeout(function () { button.removeAttribute("data-copied"); }, 1500);
          };
          // Without the clipboard API (or its permission), the text is selected for Ctrl+C.
          var select = function () {
            field.focus();
            field.select();
            var copied = false;
            try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
            shown(copied ? "Copied" : "Selected: press Ctrl+C to copy");
          };
          if (navigator.clipboard && window.isSecureContext) {
            navigator.clipboard.writeText(field.value).then(function () { shown("Copied"); }, select);
          } else {
            select();
          }
        });
      });

      var pinned = citeBox.getAttribute("data-cite-url");
      var texts = citeBox.querySelectorAll("textarea[data-cite-text]");
      var sectionNote = citeBox.querySelector("[data-cite-section-note]");
      var citeAll = function () {
        texts.forEach(function (t) { t.value = t.defaultValue; });
        sectionNote.hidden = true;
        sectionNote.textContent = "";
      };
      document.addEventListener("click", function (event) {
        var link = event.target.closest("a[data-cite-section]");
        if (!link) return;
        event.preventDefault();
        var address = pinned + "#" + link.getAttribute("data-cite-section");
        texts.forEach(function (t) { t.value = t.defaultValue.split(pinned).join(address); });
        sectionNote.textContent = "Citing one section: " + link.textContent.replace(/^Cite\s*/, "") + ". ";
        var whole = document.createElement("button");
        whole.type = "button";
        whole.textContent = "Cite the whole " + citeBox.getAttribute("data-cite-noun");
        whole.addEventListener("click", citeAll);
        sectionNote.appendChild(whole);
        sectionNote.hidden = false;
        citeBox.scrollIntoView();
        document.getElementById("cite-heading").focus();
      });

      // `?v=<date>.<hash>`: the version a citation pinned.
      var cited = new URLSearchParams(window.location.search).get("v");
      if (cited && /^\d{4}-\d{2}-\d{2}\.[0-9a-f]{12}$/.test(cited)) {
        var noun = citeBox.getAttribute("data-cite-noun");
        var notice = document.createElement("div");
        notice.className = "version-notice";
        notice.setAttribute("role", "note");
        notice.setAttribute("data-version-notice", "");
        if (cited === citeBox.getAttribute("data-cite-version")) {
          notice.className += " is-current";
          notice.textContent = "This is the version cited.";
        } else {
          var since = cited.slice(0, 10);
          var lines = Array.prototype.filter.call(document.querySelectorAll("[data-change-date]"), function (el) {
            return el.getAttribute("data-change-date") > since;
          });
          var lead = document.createElement("p");
          lead.textContent = "You followed a citation of the version " + cited + " of this " + noun + ". It has changed since" +
            (lines.length ? ":" : "; no change dated after " + since + " is recorded here.");
          notice.appendChild(lead);
          if (lines.length) {
            var list = document.createElement("ul");
            lines.forEach(function (el) {
              var li = document.createElement("li");
              li.textContent = el.textContent.replace(/\s+/g, " ").trim();
              list.appendChild(li);
            });
            notice.appendChild(list);
          }
          var current = document.createElement("p");
          var cite = document.createElement("a");
          cite.href = "#cite";
          cite.textContent = "Cite the current version (" + citeBox.getAttribute("data-cite-version") + ")";
          current.appendChild(cite);
          notice.appendChild(current);
        }
        var main = document.getElementById("main");
        var crumb = main.querySelector(".breadcrumb");
        main.insertBefore(notice, crumb ? crumb.nextSibling : main.firstChild);
      }
    }

    // A print button where a page offers one (collection handouts): shown only with scripts.
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });

    // A link to a section folded in <details> (the compare form under a result) opens it.
    var unfoldTarget = function () {
      var target = window.location.hash && document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
      for (var node = target; node; node = node.parentElement) {
        if (node.tagName === "DETAILS") node.open = true;
      }
    };
    window.addEventListener("hashchange", unfoldTarget);
    unfoldTarget();

    // Matrix filter and sort on the home page.
    var form = document.querySelector("[data-matrix-filter]");
    var table = document.querySelector("table.matrix tbody");
    if (form && table) {
      form.hidden = false;
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
        // A row's name is its heading's link (a `draft` tag beside it is not part of the name).
        var name = function (row) { return row.cells[0].querySelector("a").textContent; };
        rows.sort(function (a, b) {
          if (sort === "score") return parseFloat(b.dataset.score) - parseFloat(a.dataset.score) || name(a).localeCompare(name(b));
          return name(a).localeCompare(name(b));
        }).forEach(function (row) { table.appendChild(row); });
        // The totals count the rows shown, unless the matrix is paged (they are the site's then).
        var totals = document.querySelector("tfoot[data-totals]:not([data-site-wide])");
        if (totals) {
          totals.querySelectorAll("td[data-value]").forEach(function (td) {
            var column = td.cellIndex;
            td.textContent = rows.filter(function (row) {
              return !row.hidden && row.cells[column].classList.contains("v-" + td.dataset.value);
            }).length;
          });
        }
        // The view is in the address, so a filtered matrix can be shared or bookmarked.
        var url = new URL(window.location.href);
        ["grouping", "region", "sort"].forEach(function (name) {
          var value = form.elements[name].value;
          if (value && !(name === "sort" && value === "name")) url.searchParams.set(name, value);
          else url.searchParams.delete(name);
        });
        history.replaceState(null, "", url.pathname + url.search + url.hash);
      };
      var params = new URLSearchParams(window.location.search);
      ["grouping", "region", "sort"].forEach(function (name) {
        if (params.get(name)) form.elements[name].value = params.get(name);
      });
      form.addEventListener("change", apply);
      form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
      // The page comes in the default view (every row, by name): only an address that asks for
      // another view is applied on arrival, so the table is not redrawn for nothing.
      if (["grouping", "region", "sort"].some(function (name) { return params.get(name); })) apply();
    }

    // The reasoning behind each rating, as a tooltip where there is a pointer that hovers. It is not
    // in the page, to keep the page light on slow links; the first time a pointer rests on a row,
    // the entry's JSON is fetched once and each cell gets its note. The cell links to it in full.
    var matrix = document.querySelector("table.matrix");
    if (matrix && window.fetch && window.matchMedia && window.matchMedia("(hover: hover)").matches) {
      var safeguards = Array.prototype.map.call(matrix.tHead.rows[0].cells, function (th) { return th.dataset.safeguard; });
      matrix.addEventListener("pointerover", function (event) {
        var row = event.target.closest("tr[data-api]");
        if (!row || row.dataset.notes) return;
        row.dataset.notes = "loading";
        fetch(row.dataset.api).then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        }).then(function (entry) {
          Array.prototype.forEach.call(row.cells, function (cell, column) {
            var rating = entry.safeguards && entry.safeguards[safeguards[column]];
            var link = cell.querySelector("a");
            if (rating && rating.note && link) link.title = rating.note;
          });
          row.dataset.notes = "loaded";
        }).catch(function () {
          // From file:// or offline the notes stay out; the cells still link to them.
          row.dataset.notes = "unavailable";
        });
      });
    }

    // The words of a query worth highlighting: no filters (`region:x`), exclusions or quotes.
    function queryTerms(q) {
      return q.split(/\s+/).filter(function (t) { return t && t.indexOf(":") < 0 && t.charAt(0) !== "-"; })
        .map(function (t) { return t.replace(/["()]/g, ""); })
        .filter(function (t) { return t.length > 2; });
    }

    // A hit's address with `?hl=terms`, so the landing section highlights them.
    function withHighlight(href, q) {
      var terms = queryTerms(q);
      if (!terms.length) return href;
      var url = new URL(href, window.location.href);
      url.searchParams.set("hl", terms.join(" "));
      return url.pathname + url.search + url.hash;
    }

    // Server-rendered search results: hits carry the terms to highlight.
    var hitsQuery = document.querySelector("[data-live-search] input[name=q]");
    if (hitsQuery && hitsQuery.value) {
      document.querySelectorAll("ol.hits a").forEach(function (a) {
        a.setAttribute("href", withHighlight(a.getAttribute("href"), hitsQuery.value));
      });
    }

    // What a permalink target covers: an element, or for a heading, the heading and everything after
    // it up to the next heading of the same or a higher level.
    function sectionOf(target) {
      var level = /^H([1-6])$/.exec(target.tagName);
      if (!level) return [target];
      var parts = [target];
      for (var next = target.nextElementSibling; next; next = next.nextElementSibling) {
        var other = /^H([1-6])$/.exec(next.tagName);
        if (other && +other[1] <= +level[1]) break;
        parts.push(next);
      }
      return parts;
    }

    // Scripts written without spaces between words (`is_unspaced` in src/search/analysis.rs): a
    // term in them is marked wherever it occurs, as there are no word boundaries to keep to.
    var UNSPACED = /[\p{Script=Thai}\p{Script=Lao}\p{Script=Myanmar}\p{Script=Khmer}\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Bopomofo}]/u;
    // Words as the search reads them: runs of letters and digits, with the combining marks within
    // them (`is_mark` in src/search/analysis.rs).
    var WORDS = /[\p{Alphabetic}\p{N}][\p{Alphabetic}\p{N}\p{M}]*/gu;

    // What a word's simple inflections share: `blocks`, `blocked` and `blocking` give `block`,
    // `one` and `ones` give `one`, and `reasoned` gives `reason`.
    function root(word) {
      var lower = word.toLowerCase();
      var inflected = /^(.{3,}?)(?:ing|ed|es|s)$/.exec(lower);
      return inflected ? inflected[1] : lower;
    }

    // The [start, end) ranges of `text` to mark: whole words sharing a root with a query word,
    // and terms in unspaced scripts wherever they occur. Sorted, never overlapping.
    function highlightRanges(text, roots, unspaced) {
      var ranges = [], match;
      WORDS.lastIndex = 0;
      while ((match = WORDS.exec(text))) {
        if (roots.indexOf(root(match[0])) >= 0) ranges.push([match.index, match.index + match[0].length]);
      }
      var lower = text.toLowerCase();
      // Lower-casing that changes the length would misplace the marks.
      if (lower.length === text.length) {
        unspaced.forEach(function (term) {
          for (var at = lower.indexOf(term); at >= 0; at = lower.indexOf(term, at + term.length)) {
            ranges.push([at, at + term.length]);
          }
        });
      }
      ranges.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
      var last = 0;
      return ranges.filter(function (r) {
        if (r[0] < last) return false;
        last = r[1];
        return true;
      });
    }

    // Highlight search terms on the landing section (?hl=terms), whole words only.
    var hl = new URLSearchParams(window.location.search).get("hl");
    if (hl && window.location.hash) {
      var target = document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
      if (target) {
        var roots = [], unspaced = [];
        queryTerms(hl).forEach(function (term) {
          if (UNSPACED.test(term)) unspaced.push(term.toLowerCase());
          else roots.push.apply(roots, (term.match(WORDS) || []).map(root));
        });
        var nodes = [];
        sectionOf(target).forEach(function (part) {
          var walker = document.createTreeWalker(part, NodeFilter.SHOW_TEXT);
          while (walker.nextNode()) nodes.push(walker.currentNode);
        });
        nodes.forEach(function (node) {
          // Right to left, so the offsets still left to mark stay in `node`.
          highlightRanges(node.nodeValue, roots, unspaced).reverse().forEach(function (r) {
            var middle = node.splitText(r[0]);
            middle.splitText(r[1] - r[0]);
            var mark = document.createElement("mark");
            mark.textContent = middle.nodeValue;
            middle.parentNode.replaceChild(mark, middle);
          });
        });
        var marks = sectionOf(target).reduce(function (n, part) { return n + part.querySelectorAll("mark").length; }, 0);
        target.setAttribute("data-highlighted", String(marks));
      }
    }

    // Search as you type: results from /api/search replace the list without leaving the page.
    var live = document.querySelector("form[data-live-search]");
    var results = document.querySelector("[data-results]");
    if (live && results && window.fetch && window.TextEncoder) {
      var input = live.elements.q;
      var api = live.getAttribute("action").replace(/\/search$/, "/api/search");
      var timer = null, sequence = 0;

      // `snippet_text` with `<mark>` around the highlight byte ranges, built as DOM nodes (never HTML).
      var snippet = function (text, ranges) {
        var bytes = new TextEncoder().encode(text), decoder = new TextDecoder();
        var p = document.createElement("p"), at = 0;
        p.className = "snippet";
        ranges.forEach(function (r) {
          if (r[0] < at) return;
          p.appendChild(document.createTextNode(decoder.decode(bytes.subarray(at, r[0]))));
          var mark = document.createElement("mark");
          mark.textContent = decoder.decode(bytes.subarray(r[0], r[1]));
          p.appendChild(mark);
          at = r[1];
        });
        p.appendChild(document.createTextNode(decoder.decode(bytes.subarray(at))));
        return p;
      };

      var element = function (tag, className, text) {
        var e = document.createElement(tag);
        if (className) e.className = className;
        if (text) e.textContent = text;
        return e;
      };

      // A query as the page names it: in quotation marks, or as typed when it has marks of its
      // own, as the server-rendered page does (its `quoted` filter).
      var quoted = function (q) {
        return /["\u201c\u201d]/.test(q) ? q : "\u201c" + q + "\u201d";
      };

      var action = live.getAttribute("action");
      var link = function (params, label) {
        var a = element("a", "", label);
        a.href = action + "?" + params.toString();
        return a;
      };

      // The facet lists rebuilt from the answer's counts; each value links to the search with that
      // filter set (or cleared, when it is the active one), as the server-rendered page does.
      var facets = function (params, list, estimated) {
        var aside = document.querySelector(".facets");
        if (!aside) return;
        aside.querySelectorAll("fieldset:not([data-active])").forEach(function (f) { f.remove(); });
        list.forEach(function (facet) {
          if (!facet.values.length) return;
          var fieldset = element("fieldset"), ul = element("ul");
          fieldset.appendChild(element("legend", "", facet.label));
          facet.values.forEach(function (v) {
            var next = new URLSearchParams(params);
            if (v.selected) next.delete(facet.name); else next.set(facet.name, v.key);
            var li = element("li", v.selected ? "selected" : ""), a = link(next, v.label);
            if (v.selected) a.setAttribute("aria-current", "true");
            li.appendChild(a);
            li.appendChild(document.createTextNode(" "));
            li.appendChild(element("span", "count", "(" + (estimated ? "≈" : "") + v.count + ")"));
            ul.appendChild(li);
          });
          fieldset.appendChild(ul);
          aside.appendChild(fieldset);
        });
      };

      // Live results are the first page: "Next" continues on the server-rendered pages.
      var pager = function (params, data) {
        var nav = document.querySelector(".pager");
        if (!nav) return;
        nav.textContent = "";
        if (data.total > data.hits.length) {
          var next = new URLSearchParams(params);
          next.set("offset", String(data.hits.length));
          var a = link(next, "Next →");
          a.rel = "next";
          nav.appendChild(a);
        }
      };

      var show = function (q, params, data) {
        var list = results.querySelector("ol.hits");
        list.textContent = "";
        list.setAttribute("start", "1");
        data.hits.forEach(function (h) {
          var li = element("li", "hit"), h2 = element("h2"), a = element("a", "", h.title);
          a.href = withHighlight(h.url, q);
          if (h.lang) a.lang = h.lang;
          h2.appendChild(a);
          li.appendChild(h2);
          var crumb = element("p", "crumb", h.breadcrumb + " · ");
          crumb.appendChild(element("span", "tag kind", h.kind));
          li.appendChild(crumb);
          li.appendChild(snippet(h.snippet_text, h.highlights));
          list.appendChild(li);
        });
        if (!data.hits.length) list.appendChild(element("li", "", "No results. Try fewer words, or remove a filter."));
        // The typo notice names the query searched instead, as the server-rendered page does.
        var notice = results.querySelector("[data-corrected]");
        if (notice) {
          notice.hidden = !data.corrected;
          notice.textContent = "";
          if (data.corrected) {
            notice.appendChild(document.createTextNode("No results for " + quoted(q) + ". Showing results for "));
            if (data.corrected_query) {
              var corrected = new URLSearchParams(params);
              corrected.set("q", data.corrected_query);
              notice.appendChild(link(corrected, quoted(data.corrected_query)));
              notice.appendChild(document.createTextNode("."));
            } else {
              notice.appendChild(document.createTextNode("similar words."));
            }
          }
        }
        var meta = results.querySelector(".meta");
        // The summary reads as the server-rendered page's (`search.html`): live results are page 1.
        var pages = data.limit > 0 ? Math.max(1, Math.ceil(data.total / data.limit)) : 1;
        meta.textContent = (data.estimated ? "About " : "") + data.total + " result" + (data.total === 1 ? "" : "s") +
          " for " + quoted(q) + (data.estimated ? " (counts estimated; the order of results is exact)" : "") +
          " \u00b7 page 1 of " + pages;
        facets(params, data.facets, data.estimated);
        pager(params, data);
        results.setAttribute("data-live-query", q);
        history.replaceState(null, "", action + "?" + params.toString());
      };

      var run = function () {
        var q = input.value.trim();
        if (!q) return;
        var params = new URLSearchParams(window.location.search);
        params.set("q", q);
        params.delete("offset");
        var mine = ++sequence;
        fetch(api + "?" + params.toString(), { headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (data) { if (data && mine === sequence) show(q, params, data); })
          .catch(function () {});
      };

      input.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(run, 250);
      });
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
  }

  if (document.readyState === "complete") setTimeout(start, 0);
  else window.addEventListener("load", function () { setTimeout(start, 0); });
})();
