import net from 'node:net'

/** Whether this machine can listen on ::1 (probed once, when a test file loads). */
export const hasIpv6Loopback: boolean = await new Promise<boolean>((resolve) => {
  const probe = net.createServer()
  probe.once('error', () => resolve(false))
  probe.listen(0, '::1', () => probe.close(() => resolve(true)))
})

/**
 * Skip an IPv6 test only where there is no IPv6 loopback, and say so as a skip, never a silent
 * pass; in CI (CI=true) the runners have ::1, so a missing one fails instead of skipping.
 */
export const skipWithoutIpv6 = !hasIpv6Loopback && process.env.CI !== 'true'
