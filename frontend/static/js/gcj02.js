// WGS84 <-> GCJ-02, the same algorithm as apps/areas/gcj02.py (keep them equal).
// Used only when the base map is Amap, whose tiles are drawn in GCJ-02: vector
// coordinates are shifted onto the tiles, clicked points shifted back.

const A = 6378245.0;
const EE = 0.00669342162296594323;
const INVERSE_TOLERANCE = 1e-9;
const INVERSE_MAX_STEPS = 30;

export function outOfChina(lon, lat) {
  return !(lon >= 72.004 && lon <= 137.8347 && lat >= 0.8293 && lat <= 55.8271);
}

function deltaLat(x, y) {
  let d = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  d += (20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0 / 3.0;
  d += (20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin(y / 3.0 * Math.PI)) * 2.0 / 3.0;
  d += (160.0 * Math.sin(y / 12.0 * Math.PI) + 320.0 * Math.sin(y * Math.PI / 30.0)) * 2.0 / 3.0;
  return d;
}

function deltaLon(x, y) {
  let d = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  d += (20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0 / 3.0;
  d += (20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin(x / 3.0 * Math.PI)) * 2.0 / 3.0;
  d += (150.0 * Math.sin(x / 12.0 * Math.PI) + 300.0 * Math.sin(x / 30.0 * Math.PI)) * 2.0 / 3.0;
  return d;
}

// [lon, lat] in GCJ-02 for a WGS84 point; unchanged outside China.
export function wgs84ToGcj02(lon, lat) {
  if (outOfChina(lon, lat)) return [lon, lat];
  const radLat = lat / 180.0 * Math.PI;
  const magic = 1 - EE * Math.sin(radLat) ** 2;
  const sqrtMagic = Math.sqrt(magic);
  const dLat = (deltaLat(lon - 105.0, lat - 35.0) * 180.0) / ((A * (1 - EE)) / (magic * sqrtMagic) * Math.PI);
  const dLon = (deltaLon(lon - 105.0, lat - 35.0) * 180.0) / (A / sqrtMagic * Math.cos(radLat) * Math.PI);
  return [lon + dLon, lat + dLat];
}

// [lon, lat] in WGS84 for a GCJ-02 point: iterate the forward transform, which
// has no closed-form inverse, until it lands within 1e-9 degrees of the input.
export function gcj02ToWgs84(lon, lat) {
  if (outOfChina(lon, lat)) return [lon, lat];
  let wLon = lon;
  let wLat = lat;
  for (let i = 0; i < INVERSE_MAX_STEPS; i++) {
    const [gLon, gLat] = wgs84ToGcj02(wLon, wLat);
    const eLon = gLon - lon;
    const eLat = gLat - lat;
    if (Math.abs(eLon) < INVERSE_TOLERANCE && Math.abs(eLat) < INVERSE_TOLERANCE) break;
    wLon -= eLon;
    wLat -= eLat;
  }
  return [wLon, wLat];
}
