import type net from 'node:net'

/**
 * Resolves when a socket whose `write()` returned false can take more (backpressure,
 * docs/SECURITY.md item 16), or when it closed and never will.
 */
export function drained(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      socket.off('drain', done)
      socket.off('close', done)
      resolve()
    }
    socket.once('drain', done)
    socket.once('close', done)
  })
}
