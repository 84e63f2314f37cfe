/**
 * The `serial` mode's waiting line. `socketserver.TCPServer` handles one request at a time: while
 * it serves one client, the others have connected (the kernel completed their handshakes) but wait
 * unread until the current one closes. Here the waiting sockets are held paused, oldest first.
 */
export class SerialQueue<T extends { conn: number; since: number }> {
  private waiting: T[] = []
  private current: number | null = null

  /** Returns true if `item` is served at once, false if it must wait (its 1-based position is `length`). */
  arrive(item: T): boolean {
    if (this.current === null) {
      this.current = item.conn
      return true
    }
    this.waiting.push(item)
    return false
  }

  /** The served connection ended: returns the next one to serve, if any. */
  next(conn: number): T | undefined {
    if (this.current !== conn) return undefined
    const item = this.waiting.shift()
    this.current = item ? item.conn : null
    return item
  }

  /** A waiting connection left (or was dropped) before its turn. */
  remove(conn: number): void {
    this.waiting = this.waiting.filter((w) => w.conn !== conn)
  }

  get length(): number {
    return this.waiting.length
  }

  list(): readonly T[] {
    return this.waiting
  }

  clear(): T[] {
    const all = this.waiting
    this.waiting = []
    return all
  }
}
