// Draws the lab's icon and writes every size the installers need, with no image library:
// PNGs are encoded here (zlib + CRC-32), the .ico and .icns wrap those PNGs.
//   build/icons/<N>x<N>.png  N = 16 … 1024  (Linux: AppImage, deb)
//   build/icon.png (1024), build/icon.ico (16–256, Windows NSIS), build/icon.icns (macOS dmg)
// Run: node scripts/make-icons.js   (the output is committed; rerun after changing the drawing)
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import zlib from 'node:zlib'

const BUILD = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'build')
const SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024]

// ── drawing: signed distances in a 0..1 square, 4×4 supersampling for smooth edges ──
const roundedBox = (x, y, cx, cy, hw, hh, r) => {
  const qx = Math.abs(x - cx) - hw + r
  const qy = Math.abs(y - cy) - hh + r
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r
}
const circle = (x, y, cx, cy, r) => Math.hypot(x - cx, y - cy) - r
const segment = (x, y, ax, ay, bx, by, r) => {
  const px = x - ax, py = y - ay, dx = bx - ax, dy = by - ay
  const h = Math.max(0, Math.min(1, (px * dx + py * dy) / (dx * dx + dy * dy)))
  return Math.hypot(px - dx * h, py - dy * h) - r
}
const mix = (a, b, t) => a.map((v, i) => v + (b[i] - v) * t)
const over = (dst, src, alpha) => mix(dst, src, alpha)

/** One sample: RGBA in 0..1. Two sockets joined by a link, a child process forked below. */
function sample(x, y) {
  let c = [0, 0, 0, 0]
  if (roundedBox(x, y, 0.5, 0.5, 0.46, 0.46, 0.2) <= 0) {
    c = [...mix([0.07, 0.33, 0.42], [0.04, 0.18, 0.26], y), 1] // teal, darker at the bottom
  }
  if (c[3] === 0) return c
  const white = [0.96, 0.98, 0.98, 1]
  const amber = [1.0, 0.71, 0.2, 1]
  const shapes = [
    [segment(x, y, 0.28, 0.36, 0.72, 0.36, 0.035), white],
    [segment(x, y, 0.28, 0.36, 0.5, 0.7, 0.03), white],
    [circle(x, y, 0.28, 0.36, 0.11), white],
    [circle(x, y, 0.72, 0.36, 0.11), white],
    [circle(x, y, 0.28, 0.36, 0.05), [0.07, 0.33, 0.42, 1]],
    [circle(x, y, 0.72, 0.36, 0.05), [0.07, 0.33, 0.42, 1]],
    [circle(x, y, 0.5, 0.7, 0.1), amber],
  ]
  for (const [d, color] of shapes) if (d <= 0) c = over(c, color, 1)
  return c
}

function render(size) {
  const n = 4
  const rgba = Buffer.alloc(size * size * 4)
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let acc = [0, 0, 0, 0]
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const s = sample((px + (sx + 0.5) / n) / size, (py + (sy + 0.5) / n) / size)
          acc = [acc[0] + s[0] * s[3], acc[1] + s[1] * s[3], acc[2] + s[2] * s[3], acc[3] + s[3]]
        }
      }
      const a = acc[3] / (n * n)
      const o = (py * size + px) * 4
      rgba[o] = a ? Math.round((acc[0] / acc[3]) * 255) : 0
      rgba[o + 1] = a ? Math.round((acc[1] / acc[3]) * 255) : 0
      rgba[o + 2] = a ? Math.round((acc[2] / acc[3]) * 255) : 0
      rgba[o + 3] = Math.round(a * 255)
    }
  }
  return rgba
}

// ── PNG encoding ──
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
function crc32(buf) {
  let c = 0xffffffff
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}
function chunk(type, data) {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([len, body, crc])
}
export function encodePng(size, rgba) {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(size, 0)
  ihdr.writeUInt32BE(size, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 6 // RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1))
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0 // filter: none
    rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4)
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

/** Windows .ico holding PNG images (allowed since Vista; 256 is written as 0). */
function encodeIco(images) {
  const header = Buffer.alloc(6)
  header.writeUInt16LE(1, 2)
  header.writeUInt16LE(images.length, 4)
  let offset = 6 + 16 * images.length
  const entries = images.map(({ size, png }) => {
    const e = Buffer.alloc(16)
    e[0] = size >= 256 ? 0 : size
    e[1] = size >= 256 ? 0 : size
    e.writeUInt16LE(1, 4) // planes
    e.writeUInt16LE(32, 6) // bits per pixel
    e.writeUInt32LE(png.length, 8)
    e.writeUInt32LE(offset, 12)
    offset += png.length
    return e
  })
  return Buffer.concat([header, ...entries, ...images.map((i) => i.png)])
}

/** macOS .icns with PNG payloads. */
function encodeIcns(pngs) {
  const types = [
    ['icp4', 16], ['icp5', 32], ['icp6', 64], ['ic07', 128], ['ic08', 256], ['ic09', 512], ['ic10', 1024],
    ['ic11', 32], ['ic12', 64], ['ic13', 256], ['ic14', 512],
  ]
  const parts = types.map(([type, size]) => {
    const head = Buffer.alloc(8)
    head.write(type, 0, 'ascii')
    head.writeUInt32BE(pngs[size].length + 8, 4)
    return Buffer.concat([head, pngs[size]])
  })
  const body = Buffer.concat(parts)
  const head = Buffer.alloc(8)
  head.write('icns', 0, 'ascii')
  head.writeUInt32BE(body.length + 8, 4)
  return Buffer.concat([head, body])
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  mkdirSync(path.join(BUILD, 'icons'), { recursive: true })
  const pngs = {}
  for (const size of SIZES) {
    pngs[size] = encodePng(size, render(size))
    writeFileSync(path.join(BUILD, 'icons', `${size}x${size}.png`), pngs[size])
  }
  writeFileSync(path.join(BUILD, 'icon.png'), pngs[1024])
  writeFileSync(path.join(BUILD, 'icon.ico'), encodeIco([16, 24, 32, 48, 64, 128, 256].map((size) => ({ size, png: pngs[size] }))))
  writeFileSync(path.join(BUILD, 'icon.icns'), encodeIcns(pngs))
  console.log(`icons written to ${BUILD}: ${SIZES.join(', ')} px, icon.ico, icon.icns`)
}
