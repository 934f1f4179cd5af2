/* The organization page's small map (issue 7): the ten members' outlines from the
 * extension's members.geojson, this organization's highlighted and framed. No tiles: the
 * portal reaches nothing outside itself. */
this.ckan.module('regionaliot-org-map', function () {
  'use strict';
  return {
    options: {url: null, code: '', all: false},
    initialize: function () {
      var el = this.el[0];
      var code = String(this.options.code || '');
      var all = this.options.all === true || this.options.all === 'true';
      if (!this.options.url || typeof L === 'undefined') { return; }
      // A locator picture (role="img"): no zoom buttons, which would be controls nested
      // inside an image (axe: nested-interactive).
      var map = L.map(el, {
        attributionControl: false, zoomControl: false, scrollWheelZoom: false, zoomSnap: 0.25,
        keyboard: false, boxZoom: false, doubleClickZoom: false, dragging: !L.Browser.mobile
      });
      fetch(this.options.url, {credentials: 'same-origin'})
        .then(function (response) { return response.json(); })
        .then(function (data) {
          var own = [];
          var layer = L.geoJSON(data, {
            style: function (feature) {
              var mine = all || String(feature.properties.code) === code;
              return mine
                ? {color: '#0b5394', weight: 2, fillColor: '#3d85c6', fillOpacity: 0.65}
                : {color: '#7f8c99', weight: 1, fillColor: '#dfe6ee', fillOpacity: 0.8};
            },
            onEachFeature: function (feature, featureLayer) {
              if (all || String(feature.properties.code) === code) { own.push(featureLayer); }
              featureLayer.bindTooltip(feature.properties.name, {sticky: true});
            }
          }).addTo(map);
          var frame = own.length ? L.featureGroup(own).getBounds() : layer.getBounds();
          map.fitBounds(frame.pad(own.length && !all ? 0.6 : 0.05));
          el.setAttribute('data-loaded', String(own.length));
        })
        .catch(function () { el.classList.add('regionaliot-map-failed'); });
    }
  };
});
