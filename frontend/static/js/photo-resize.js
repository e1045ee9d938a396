// Photos made smaller on the phone before they wait in the offline queue and
// travel over a weak connection: at most MAX_SIDE pixels on the long side, as
// JPEG. A canvas drops the original's metadata, but the server reads the
// photo's EXIF time and GPS as evidence (apps/cases/evidence.py), so the
// original's APP1 "Exif" segment is copied into the new JPEG, its Orientation
// reset to 1 because the pixels are drawn upright already.
// A photo small enough is sent as it is, untouched.

export const MAX_SIDE = 1600;
export const KEEP_BYTES = 1024 * 1024; // a photo this small and no larger than MAX_SIDE is sent as taken
// The largest original the sheet takes: a phone camera's 12-50 MP JPEG, far above the server's 5 MB per
// photo, which the shrunk copy (at most MAX_SIDE pixels, re-encoded above KEEP_BYTES) stays well under.
export const MAX_ORIGINAL_BYTES = 40 * 1024 * 1024;
const QUALITY = 0.85;

const SOI = 0xd8;
const SOS = 0xda;
const APP0 = 0xe0;
const APP1 = 0xe1;
const ORIENTATION = 0x0112;
const EXIF_HEADER = [0x45, 0x78, 0x69, 0x66, 0x00, 0x00]; // "Exif\0\0"

// The JPEG segments before the image data: [{marker, start, end}] (end exclusive, marker bytes included).
function segments(bytes) {
  const found = [];
  if (bytes[0] !== 0xff || bytes[1] !== SOI) return found;
  let i = 2;
  while (i + 4 <= bytes.length && bytes[i] === 0xff) {
    const marker = bytes[i + 1];
    if (marker === SOS) break;
    const length = (bytes[i + 2] << 8) | bytes[i + 3];
    found.push({ marker, start: i, end: i + 2 + length });
    i += 2 + length;
  }
  return found;
}

function isExif(bytes, segment) {
  return segment.marker === APP1 && EXIF_HEADER.every((b, k) => bytes[segment.start + 4 + k] === b);
}

// The original's APP1 Exif segment (marker included), or null.
export function exifSegment(bytes) {
  const segment = segments(bytes).find((s) => isExif(bytes, s));
  return segment ? bytes.slice(segment.start, segment.end) : null;
}

// Set IFD0's Orientation to 1 (upright) in a copied Exif segment, in place.
export function resetOrientation(segment) {
  const tiff = 10; // FF E1, length (2), "Exif\0\0"
  const view = new DataView(segment.buffer, segment.byteOffset, segment.byteLength);
  if (segment.length < tiff + 8) return segment;
  const little = view.getUint16(tiff) === 0x4949; // "II"
  const ifd0 = tiff + view.getUint32(tiff + 4, little);
  if (ifd0 + 2 > segment.length) return segment;
  const count = view.getUint16(ifd0, little);
  for (let n = 0; n < count; n += 1) {
    const entry = ifd0 + 2 + n * 12;
    if (entry + 12 > segment.length) break;
    if (view.getUint16(entry, little) === ORIENTATION) view.setUint16(entry + 8, 1, little);
  }
  return segment;
}

// The new JPEG with the Exif segment right after its start (where EXIF readers
// look), the canvas's JFIF APP0 dropped (EXIF and JFIF do not go together).
export function withExif(jpeg, exif) {
  const parts = segments(jpeg);
  let rest = 2;
  if (parts.length && parts[0].marker === APP0) rest = parts[0].end;
  const out = new Uint8Array(2 + exif.length + (jpeg.length - rest));
  out.set(jpeg.subarray(0, 2), 0);
  out.set(exif, 2);
  out.set(jpeg.subarray(rest), 2 + exif.length);
  return out;
}

async function draw(bitmap, width, height) {
  if (typeof OffscreenCanvas !== "undefined") {
    const canvas = new OffscreenCanvas(width, height);
    canvas.getContext("2d").drawImage(bitmap, 0, 0, width, height);
    return canvas.convertToBlob({ type: "image/jpeg", quality: QUALITY });
  }
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  canvas.getContext("2d").drawImage(bitmap, 0, 0, width, height);
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("toBlob"))), "image/jpeg", QUALITY),
  );
}

const jpegName = (name) => `${String(name || "photo").replace(/\.[^.]*$/, "")}.jpg`;

// {blob, name, type, resized}: the photo to send. Throws when the file is not an image the browser can read.
export async function preparePhoto(file) {
  const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  try {
    const { width, height } = bitmap;
    const scale = Math.min(1, MAX_SIDE / Math.max(width, height));
    if (scale === 1 && file.size <= KEEP_BYTES) {
      return { blob: file, name: file.name, type: file.type, resized: false };
    }
    const w = Math.max(1, Math.round(width * scale));
    const h = Math.max(1, Math.round(height * scale));
    const drawn = new Uint8Array(await (await draw(bitmap, w, h)).arrayBuffer());
    const exif = exifSegment(new Uint8Array(await file.arrayBuffer()));
    const bytes = exif ? withExif(drawn, resetOrientation(exif)) : drawn;
    return { blob: new Blob([bytes], { type: "image/jpeg" }), name: jpegName(file.name), type: "image/jpeg", resized: true };
  } finally {
    bitmap.close();
  }
}
