import { realpath, stat } from 'node:fs/promises'
import path from 'node:path'

/** Content types of the files the built renderer contains; anything else is served as bytes. */
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
}

export type StaticFile =
  | { ok: true; file: string; size: number; type: string }
  /** 400: the path cannot be decoded; 404: it leaves the folder; 500: the renderer is not built. */
  | { ok: false; status: 400 | 404 | 500; reason: string }

function inside(root: string, file: string): boolean {
  return file === root || file.startsWith(root + path.sep)
}

/** A regular file's real path and size, or null (missing, a folder, a socket, a FIFO, unreadable). */
async function regularFile(file: string): Promise<{ real: string; size: number } | null> {
  try {
    const real = await realpath(file)
    const info = await stat(real)
    return info.isFile() ? { real, size: info.size } : null
  } catch {
    return null
  }
}

/**
 * Maps a URL path to a file of the built renderer, for both doors that serve it (browser
 * mode's HTTP server and Electron's `lab://` protocol). Never throws: a path that does not
 * decode is a 400, one that leaves the folder (by `..` or by a symlink planted inside it —
 * checked on the real path, after following links) a 404; an unknown path gets index.html
 * because the renderer is one page.
 */
export async function resolveStaticFile(rendererDir: string, urlPathname: string): Promise<StaticFile> {
  let decoded: string
  try {
    decoded = decodeURIComponent(urlPathname)
  } catch {
    return { ok: false, status: 400, reason: 'the path is not valid percent-encoding' }
  }
  if (decoded.includes('\0')) return { ok: false, status: 400, reason: 'the path contains a NUL byte' }
  let root: string
  try {
    root = await realpath(path.resolve(rendererDir))
  } catch {
    return { ok: false, status: 500, reason: 'The renderer is not built. Run `npm run build`, then start the lab again.' }
  }
  const wanted = path.resolve(root, '.' + decoded)
  if (!inside(root, wanted)) return { ok: false, status: 404, reason: 'outside the renderer folder' }
  const found = await regularFile(wanted)
  if (found && !inside(root, found.real)) return { ok: false, status: 404, reason: 'a link pointing outside the renderer folder' }
  const chosen = found ?? (await regularFile(path.join(root, 'index.html')))
  if (!chosen || !inside(root, chosen.real)) {
    return { ok: false, status: 500, reason: 'The renderer is not built. Run `npm run build`, then start the lab again.' }
  }
  return { ok: true, file: chosen.real, size: chosen.size, type: TYPES[path.extname(chosen.real)] ?? 'application/octet-stream' }
}
