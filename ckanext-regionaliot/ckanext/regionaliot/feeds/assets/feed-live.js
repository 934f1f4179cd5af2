/* The feed page: the sensors on the basin map (Leaflet, the members' outlines from our
 * own public/ folder, no tile layer) coloured by threshold state, and the table of latest
 * values and the chart refreshed every few seconds without reloading the page (polling
 * the action regionaliot_feed_latest; the chart is server-side SVG, reloaded as an image).
 */
/* global L */
ckan.module("regionaliot-feed-live", function ($) {
  "use strict";
  var COLOURS = { normal: "#2e7d32", warning: "#e0a000", danger: "#c62828", no_data: "#78909c" };

  return {
    options: { url: null, chart: null, geojson: null, sensors: null, labels: null, seconds: 10 },

    initialize: function () {
      var self = this;
      var sensors = this.options.sensors || [];
      this.labels = this.options.labels || {};
      this.markers = {};
      var mapEl = this.el.find(".regionaliot-feed-map")[0];
      if (mapEl && typeof L !== "undefined") {
        var map = L.map(mapEl, { attributionControl: false, scrollWheelZoom: false });
        var points = [];
        if (this.options.geojson && window.fetch) {
          fetch(this.options.geojson, { credentials: "same-origin" })
            .then(function (r) { return r.ok ? r.json() : null; })
            .then(function (data) {
              if (data) {
                L.geoJSON(data, { style: { color: "#0a4f6e", weight: 1, fillColor: "#dbe9f1", fillOpacity: 0.6 } })
                  .addTo(map).bringToBack();
              }
            }).catch(function () {});
        }
        $.each(sensors, function (i, s) {
          if (s.latitude === null || s.longitude === null) { return; }
          var m = L.circleMarker([s.latitude, s.longitude], {
            radius: 8, weight: 2, color: "#263238", fillOpacity: 0.95,
            fillColor: COLOURS[s.state] || COLOURS.no_data
          }).addTo(map);
          m.bindTooltip(s.feed_title ? s.name + " (" + s.feed_title + ")" : s.name);
          m.on("add", function () {
            var el = m.getElement && m.getElement();
            if (el) { el.setAttribute("data-sensor", s.sensor_id); el.setAttribute("data-state", s.state); }
          });
          self.markers[s.sensor_id] = m;
          points.push([s.latitude, s.longitude]);
        });
        if (points.length) { map.fitBounds(points, { padding: [30, 30], maxZoom: 12 }); }
        else { map.setView([34.7, 133.6], 10); }
      }
      if (this.options.url) {  // the /feeds index has a map only
        window.setInterval(function () { self.refresh(); }, Math.max(2, this.options.seconds) * 1000);
      }
    },

    label: function (kind, state) {
      var byKind = this.labels[kind] || this.labels.other || {};
      return byKind[state] || state;
    },

    refresh: function () {
      var self = this;
      if (!window.fetch || document.hidden) { return; }
      fetch(this.options.url, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data || !data.success) { return; }
          var result = data.result;
          $.each(result.sensors, function (i, s) {
            var row = self.el.find('tr[data-sensor="' + s.sensor_id + '"]');
            row.find(".regionaliot-feed-value").text(s.value === null ? "—" : s.value + " " + (s.unit || ""));
            row.find(".regionaliot-feed-time").text(s.observed_at ? new Date(s.observed_at).toLocaleString("ja-JP") : "—");
            row.find(".regionaliot-feed-state").attr("data-state", s.state).text(self.label(s.kind, s.state));
            var m = self.markers[s.sensor_id];
            if (m) {
              m.setStyle({ fillColor: COLOURS[s.state] || COLOURS.no_data });
              var el = m.getElement && m.getElement();
              if (el) { el.setAttribute("data-state", s.state); }
            }
          });
          self.el.find(".regionaliot-feed-overall").attr("data-state", result.state)
            .text(self.label("other", result.state));
          self.el.find(".regionaliot-feed-updated").text(new Date(result.now).toLocaleTimeString("ja-JP"));
          var img = self.el.find(".regionaliot-feed-chart img");
          if (img.length && self.options.chart) {
            img.attr("src", self.options.chart + (self.options.chart.indexOf("?") < 0 ? "?" : "&") + "t=" + Date.now());
          }
        }).catch(function () {});
    }
  };
});
