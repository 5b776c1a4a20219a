// Reads 8-bit RGB/RGBA PNGs (what Chromium and our native client write) into pixels, so
// tests can check what is on screen rather than only that a file exists.
import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';

export function decodePng(bufferOrPath) {
  const buf = typeof bufferOrPath === 'string' ? readFileSync(bufferOrPath) : bufferOrPath;
  if (buf.readUInt32BE(0) !== 0x89504e47) throw new Error('not a PNG');
  let pos = 8;
  let width = 0, height = 0, channels = 0;
  const idat = [];
  while (pos < buf.length) {
    const length = buf.readUInt32BE(pos);
    const type = buf.toString('ascii', pos + 4, pos + 8);
    const data = buf.subarray(pos + 8, pos + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const depth = data[8], color = data[9], interlace = data[12];
      if (depth !== 8 || interlace !== 0 || (color !== 2 && color !== 6)) {
        throw new Error(`unsupported PNG (depth ${depth}, colour ${color}, interlace ${interlace})`);
      }
      channels = color === 6 ? 4 : 3;
    } else if (type === 'IDAT') {
      idat.push(data);
    }
    pos += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? pixels[y * stride + x - channels] : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + x] : 0;
      const c = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels] : 0;
      let v = line[x];
      if (filter === 1) v += a;
      else if (filter === 2) v += b;
      else if (filter === 3) v += (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      pixels[y * stride + x] = v & 0xff;
    }
  }
  return {
    width, height,
    rgb(x, y) {
      const i = (y * width + x) * channels;
      return [pixels[i], pixels[i + 1], pixels[i + 2]];
    },
  };
}

// True when some pixel in the box is within `tolerance` of the colour (0xRRGGBB).
export function boxContains(image, { x0, y0, x1, y1 }, hex, tolerance = 24) {
  const want = [(hex >> 16) & 0xff, (hex >> 8) & 0xff, hex & 0xff];
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const got = image.rgb(x, y);
      if (got.every((v, i) => Math.abs(v - want[i]) <= tolerance)) return true;
    }
  }
  return false;
}
