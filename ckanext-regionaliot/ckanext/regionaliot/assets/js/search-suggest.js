/* As-you-type suggestions for a search form (the home page's form.regionaliot-hero-search):
 * dataset titles and categories from the action regionaliot_search_suggest, shown as an
 * ARIA combobox list (arrows, Enter, Escape). Without JavaScript the form is a plain GET
 * to the dataset search. Texts come translated from the template (data-module-* options).
 */
ckan.module("regionaliot-search-suggest", function ($) {
  "use strict";

  var DELAY_MS = 150;

  return {
    options: {
      url: null,
      datasetUrl: null,   // with __NAME__ in place of the dataset's name
      categoryUrl: null,  // with __NAME__ in place of the category's name
      labelList: "Suggestions",
      labelCategory: "Category",
      labelCount: "{n} suggestions",
      labelNone: "No suggestions"
    },

    initialize: function () {
      $.proxyAll(this, /_on/);
      this.input = this.el.find("input[name=q]");
      if (!this.input.length || !this.options.url || !window.fetch) { return; }
      var id = (this.input.attr("id") || "regionaliot-q") + "-suggestions";
      this.list = $('<ul class="regionaliot-suggest" role="listbox" hidden></ul>')
        .attr({ id: id, "aria-label": this.options.labelList });
      this.status = $('<div class="visually-hidden" role="status" aria-live="polite"></div>');
      this.input.attr({
        role: "combobox", "aria-autocomplete": "list", "aria-expanded": "false",
        "aria-controls": id, autocomplete: "off"
      });
      this.input.closest(".regionaliot-hero-search-row").after(this.list);
      this.list.after(this.status);
      this.active = -1;
      this.timer = null;
      this.request = null;
      this.input.on("input", this._onInput);
      this.input.on("keydown", this._onKeydown);
      this.input.on("blur", this._onBlur);
      this.list.on("mousedown", "a", function (e) { e.preventDefault(); });
      this.list.on("click", "a", this._onClick);
    },

    _onInput: function () {
      var self = this;
      clearTimeout(this.timer);
      var q = $.trim(this.input.val());
      if (!q) { this.close(); return; }
      this.timer = setTimeout(function () { self.fetch(q); }, DELAY_MS);
    },

    fetch: function (q) {
      var self = this;
      if (this.request) { this.request.abort(); }
      this.request = window.AbortController ? new AbortController() : null;
      var url = this.options.url + "?" + $.param({ q: q, limit: 6 });
      fetch(url, { credentials: "same-origin", signal: this.request && this.request.signal })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (body) {
          if ($.trim(self.input.val()) !== q) { return; }
          self.render(body && body.success ? body.result : null);
        })
        .catch(function () { /* typing on, or offline: the form still submits */ });
    },

    render: function (result) {
      var self = this;
      var items = [];
      if (result) {
        $.each(result.titles || [], function (i, t) {
          items.push({ text: t.title, href: self.options.datasetUrl.replace("__NAME__", encodeURIComponent(t.name)) });
        });
        $.each(result.categories || [], function (i, c) {
          items.push({ text: c.label, prefix: self.options.labelCategory,
                       href: self.options.categoryUrl.replace("__NAME__", encodeURIComponent(c.name)) });
        });
      }
      this.list.empty();
      this.active = -1;
      this.input.removeAttr("aria-activedescendant");
      if (!items.length) {
        this.status.text(this.options.labelNone);
        this.close();
        return;
      }
      var base = this.list.attr("id");
      $.each(items, function (i, item) {
        var a = $('<a role="option" tabindex="-1"></a>').attr({ id: base + "-" + i, href: item.href });
        if (item.prefix) { a.append($('<span class="regionaliot-suggest-kind"></span>').text(item.prefix)); }
        a.append(document.createTextNode(item.text));
        self.list.append($("<li></li>").append(a));
      });
      this.list.removeAttr("hidden");
      this.input.attr("aria-expanded", "true");
      this.status.text(this.options.labelCount.replace("{n}", items.length));
    },

    options_: function () { return this.list.find("[role=option]"); },

    move: function (step) {
      var opts = this.options_();
      if (!opts.length) { return; }
      this.active = (this.active + step + opts.length) % opts.length;
      opts.attr("aria-selected", "false").removeClass("is-active");
      var cur = opts.eq(this.active).attr("aria-selected", "true").addClass("is-active");
      this.input.attr("aria-activedescendant", cur.attr("id"));
    },

    close: function () {
      this.list.attr("hidden", "hidden");
      this.input.attr("aria-expanded", "false").removeAttr("aria-activedescendant");
      this.active = -1;
    },

    _onKeydown: function (e) {
      var open = !this.list.is("[hidden]");
      if (e.key === "ArrowDown" && open) { e.preventDefault(); this.move(1); }
      else if (e.key === "ArrowUp" && open) { e.preventDefault(); this.move(-1); }
      else if (e.key === "Escape" && open) { e.preventDefault(); this.close(); }
      else if (e.key === "Enter" && open && this.active >= 0) {
        e.preventDefault();
        window.location.href = this.options_().eq(this.active).attr("href");
      }
    },

    _onBlur: function () {
      var self = this;
      setTimeout(function () { self.close(); }, 150);
    },

    _onClick: function (e) {
      e.preventDefault();
      window.location.href = $(e.currentTarget).attr("href");
    }
  };
});
