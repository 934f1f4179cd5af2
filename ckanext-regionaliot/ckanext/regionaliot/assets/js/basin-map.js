/* The home page's map of the basin: the members' boundaries (public/regionaliot/geo/
 * members.geojson) drawn by Leaflet as SVG paths on a plain background, no tile layer.
 * Each path is path.regionaliot-member-shape[data-code=<6-digit code>] and opens the
 * member's page; a thick line (basin.geojson) outlines the consortium as a whole. The list beside the map holds the same links for keyboards and screen
 * readers, so the map itself is hidden from them and takes no focus.
 */
/* global L */
ckan.module("regionaliot-basin-map", function ($) {
  "use strict";

  // Shades of the river blue by number of datasets (darker = more).
  var SHADES = ["#d7ebf4", "#a9d2e5", "#6fb0d1", "#3a89b4", "#1c628a"];

  function shade(count, max) {
    if (!count) { return "#eef1f3"; }
    var i = Math.min(SHADES.length - 1, Math.floor((count / Math.max(max, 1)) * SHADES.length));
    return SHADES[i];
  }

  // One SVG path per member: path.regionaliot-member-shape[data-code=<6-digit code>].
  function mark(shape) {
    var path = shape.getElement && shape.getElement();
    if (!path) { return; }
    path.classList.add("regionaliot-member-shape");
    path.setAttribute("data-code", shape.feature.properties.code);
  }

  return {
    options: { config: null },

    initialize: function () {
      var cfg = this.options.config;
      if (typeof cfg === "string") {
        try { cfg = JSON.parse(cfg); } catch (e) { cfg = null; }
      }
      if (!cfg || !cfg.geojson || typeof L === "undefined" || !window.fetch) { return; }
      var el = this.el;
      var map = L.map(el[0], {
        zoomControl: false, attributionControl: false, keyboard: false,
        scrollWheelZoom: false, doubleClickZoom: false, boxZoom: false,
        dragging: false, touchZoom: false, tap: false, zoomSnap: 0.1,
        preferCanvas: false
      });
      var members = cfg.members || {};
      var max = 0;
      $.each(members, function (code, m) { max = Math.max(max, m.count || 0); });

      fetch(cfg.geojson, { credentials: "same-origin" })
        .then(function (r) {
          if (!r.ok) { throw new Error("HTTP " + r.status); }
          return r.json();
        })
        .then(function (data) {
          var layer = L.geoJSON(data, {
            style: function (feature) {
              var m = members[feature.properties.code] || {};
              return {
                className: "regionaliot-member-shape",
                color: "#0a4f6e", weight: 1.2, fillOpacity: 0.9,
                fillColor: shade(m.count, max)
              };
            },
            onEachFeature: function (feature, shape) {
              var m = members[feature.properties.code];
              var label = m ? m.label : feature.properties.name;
              shape.bindTooltip(label + (m ? " (" + m.count + ")" : ""), { sticky: true });
              if (m && m.url) {
                shape.on("click", function () { window.location.href = m.url; });
              }
              shape.on("add", function () { mark(shape); });
              shape.on("mouseover", function () { shape.setStyle({ weight: 3 }); });
              shape.on("mouseout", function () { shape.setStyle({ weight: 1.2 }); });
            }
          }).addTo(map);
          // The map draws its layers once it has a view (its "add" event marks each path).
          // A container not laid out yet has no size (zoom would be NaN): wait for one.
          var tries = 0;
          var fit = function () {
            map.invalidateSize();
            var size = map.getSize();
            if (!size.x || !size.y) {
              if (tries++ < 50) { setTimeout(fit, 100); }
              return;
            }
            map.fitBounds(layer.getBounds(), { padding: [6, 6] });
            layer.eachLayer(mark);
          };
          fit();
          el.addClass("regionaliot-map--ready");
          // The consortium: the basin's outline over the members, letting clicks through.
          if (cfg.basin) {
            fetch(cfg.basin, { credentials: "same-origin" })
              .then(function (r) { return r.ok ? r.json() : null; })
              .then(function (basin) {
                if (!basin) { return; }
                L.geoJSON(basin, { interactive: false, style: {
                  className: "regionaliot-consortium-shape", color: "#073a52", weight: 3,
                  fill: false } }).addTo(map);
              })
              .catch(function () { /* the members alone still make the map */ });
          }
          // Phones rotate and layouts settle: keep the basin in view.
          $(window).on("resize", fit);
        })
        .catch(function () {
          // Without the shapes the list beside the map still gives every member.
          el.closest("figure").attr("hidden", "hidden");
        });
    }
  };
});
