/**
 * The renderer's Content-Security-Policy, for browser mode's HTTP header and Electron's
 * protocol handler alike. Scripts only from the app itself, no eval; inline styles are
 * allowed because Vue binds `style` attributes.
 */
export function contentSecurityPolicy(): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ')
}
