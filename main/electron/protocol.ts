import path from 'node:path'
import { readFile } from 'node:fs/promises'
import { contentSecurityPolicy } from '../../shared/csp'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
}

/**
 * Serves `lab://app/…` from the packaged renderer folder with the CSP header (docs/SECURITY.md item 2).
 * Paths outside the folder are refused; unknown paths get index.html (one-page app).
 */
export async function serveAppFile(rendererDir: string, requestUrl: string): Promise<Response> {
  const root = path.resolve(rendererDir)
  const url = new URL(requestUrl)
  let file = path.resolve(root, '.' + decodeURIComponent(url.pathname))
  if (!file.startsWith(root + path.sep)) return new Response('not found', { status: 404 })
  let body: Buffer
  try {
    body = await readFile(file)
  } catch {
    file = path.join(root, 'index.html')
    body = await readFile(file)
  }
  return new Response(new Uint8Array(body), {
    headers: {
      'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'Content-Security-Policy': contentSecurityPolicy(),
      'X-Content-Type-Options': 'nosniff',
    },
  })
}
