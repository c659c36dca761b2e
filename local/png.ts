// Pictures without an image library: a PNG encoder (zlib from Node) and a drawn "field photo" (sky,
// fields, a house, a seed-coloured door) for the browser chat's sample photos and the tests. Each
// seed gives different bytes, so each is a different photo to Telegram.

import { deflateSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

export type Rgb = readonly [number, number, number];

/** An RGB PNG of width × height, each pixel from `pixel`. */
export function encodePng(width: number, height: number, pixel: (x: number, y: number) => Rgb): Uint8Array {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    raw[row] = 0; // no filter
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, y);
      raw[row + 1 + x * 3] = r;
      raw[row + 2 + x * 3] = g;
      raw[row + 3 + x * 3] = b;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', header),
      chunk('IDAT', deflateSync(raw)),
      chunk('IEND', new Uint8Array()),
    ]),
  );
}

/** A small drawn photo of a village house; `seed` changes the colours (and so the bytes). */
export function samplePhoto(seed: number, width = 320, height = 240): Uint8Array {
  const hue = (seed * 47) % 360;
  const door: Rgb = hsl(hue, 0.6, 0.45);
  const roof: Rgb = hsl((hue + 180) % 360, 0.4, 0.35);
  const horizon = Math.round(height * 0.55);
  return encodePng(width, height, (x, y) => {
    const houseLeft = width * 0.3;
    const houseRight = width * 0.7;
    const wallTop = height * 0.4;
    const inRoof = y < wallTop && y > height * 0.2 && Math.abs(x - width / 2) < (y - height * 0.2) * 1.6;
    if (inRoof) return roof;
    if (x > houseLeft && x < houseRight && y >= wallTop && y < height * 0.8) {
      if (x > width * 0.46 && x < width * 0.54 && y > height * 0.58) return door;
      return [225, 220, 205];
    }
    if (y < horizon) return [135 + Math.round((y / horizon) * 60), 185 + Math.round((y / horizon) * 40), 235];
    return [90 + ((x + seed) % 7) * 3, 140 + ((y * 3) % 11), 70];
  });
}

function hsl(h: number, s: number, l: number): Rgb {
  const k = (n: number) => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => l - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1)));
  return [Math.round(f(0) * 255), Math.round(f(8) * 255), Math.round(f(4) * 255)];
}
