import { readFile } from 'node:fs/promises'
import { contentSecurityPolicy } from '../../shared/csp'
import { resolveStaticFile } from '../static-files'
import { htmlWithLearnerLook } from '../../shared/theme'

/**
 * Serves `lab://app/…` from the packaged renderer folder with the CSP header (docs/SECURITY.md item 2).
 * Paths outside the folder (also through symlinks) are refused; unknown paths get index.html
 * (one-page app). Never rejects: a bad path or an unreadable file is an HTTP status, logged.
 */
export async function serveAppFile(
  rendererDir: string,
  requestUrl: string,
  log: (line: string) => void = console.error,
  /** The learner's saved theme and language, written on index.html's <html> so the first paint is theirs. */
  look: () => Promise<{ theme?: unknown; lang?: unknown }> = () => Promise.resolve({}),
): Promise<Response> {
  const headers = { 'Content-Security-Policy': contentSecurityPolicy(), 'X-Content-Type-Options': 'nosniff' }
  try {
    const found = await resolveStaticFile(rendererDir, new URL(requestUrl).pathname)
    if (!found.ok) {
      log(`lab:// ${found.status} ${requestUrl.slice(0, 200)}: ${found.reason}`)
      return new Response(found.reason, { status: found.status, headers })
    }
    const body = await readFile(found.file)
    if (found.type.startsWith('text/html')) {
      const html = htmlWithLearnerLook(body.toString('utf8'), await look().catch(() => ({})))
      return new Response(html, { headers: { ...headers, 'Content-Type': found.type } })
    }
    return new Response(new Uint8Array(body), { headers: { ...headers, 'Content-Type': found.type } })
  } catch (err) {
    log(`lab:// 500 ${requestUrl.slice(0, 200)}: ${String(err)}`)
    return new Response('the file could not be read', { status: 500, headers })
  }
}
