import { describe, expect, it } from 'vitest'
import { SerialQueue } from '../../main/lab/net/serial-queue'

describe('SerialQueue', () => {
  const item = (conn: number) => ({ conn, since: conn * 10 })

  it('serves the first arrival at once and lines the others up, oldest first', () => {
    const q = new SerialQueue<ReturnType<typeof item>>()
    expect(q.arrive(item(1))).toBe(true)
    expect(q.arrive(item(2))).toBe(false)
    expect(q.arrive(item(3))).toBe(false)
    expect(q.length).toBe(2)
    expect(q.list().map((i) => i.conn)).toEqual([2, 3])
    expect(q.next(1)?.conn).toBe(2)
    expect(q.next(2)?.conn).toBe(3)
    expect(q.next(3)).toBeUndefined()
    // Nobody served now: the next arrival goes straight in.
    expect(q.arrive(item(4))).toBe(true)
  })

  it('ignores the end of a connection that is not the one served, and drops leavers from the line', () => {
    const q = new SerialQueue<ReturnType<typeof item>>()
    q.arrive(item(1))
    q.arrive(item(2))
    q.arrive(item(3))
    expect(q.next(2)).toBeUndefined()
    q.remove(2)
    expect(q.next(1)?.conn).toBe(3)
    expect(q.clear()).toEqual([])
  })
})
