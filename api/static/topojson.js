/* A small TopoJSON reader: enough to turn the bundled world outline (api/static/world/) into GeoJSON for
   Leaflet. Handles quantized, delta-encoded arcs and Polygon / MultiPolygon geometries (all the file has). */
(function (global) {
  "use strict";

  function decodeArcs(topology) {
    var t = topology.transform;
    return topology.arcs.map(function (arc) {
      var x = 0, y = 0;
      return arc.map(function (p) {
        if (!t) return [p[0], p[1]];
        x += p[0]; y += p[1];
        return [x * t.scale[0] + t.translate[0], y * t.scale[1] + t.translate[1]];
      });
    });
  }

  function ring(arcs, indexes) {
    var points = [];
    indexes.forEach(function (i, k) {
      var arc = i < 0 ? arcs[~i].slice().reverse() : arcs[i];
      // consecutive arcs share their joining point: keep it once
      points = points.concat(k === 0 ? arc : arc.slice(1));
    });
    return points;
  }

  function geometry(arcs, g) {
    if (g.type === "Polygon") {
      return { type: "Polygon", coordinates: g.arcs.map(function (r) { return ring(arcs, r); }) };
    }
    if (g.type === "MultiPolygon") {
      return { type: "MultiPolygon", coordinates: g.arcs.map(function (p) {
        return p.map(function (r) { return ring(arcs, r); });
      }) };
    }
    return null;
  }

  /** The named object of a topology as a GeoJSON FeatureCollection. */
  function feature(topology, name) {
    var arcs = decodeArcs(topology);
    var object = topology.objects[name];
    var features = (object.geometries || [object]).map(function (g) {
      var geom = geometry(arcs, g);
      return geom && { type: "Feature", id: g.id, properties: g.properties || {}, geometry: geom };
    }).filter(Boolean);
    return { type: "FeatureCollection", features: features };
  }

  global.ourdataTopojson = { feature: feature };
})(window);
