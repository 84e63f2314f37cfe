/** A fixed-size log: the newest `capacity` items, oldest dropped first. */
export class RingBuffer<T> {
  private items: (T | undefined)[]
  private start = 0
  private count = 0
  total = 0

  constructor(readonly capacity: number) {
    this.items = new Array<T | undefined>(capacity)
  }

  push(item: T): void {
    this.total++
    const index = (this.start + this.count) % this.capacity
    this.items[index] = item
    if (this.count < this.capacity) this.count++
    else this.start = (this.start + 1) % this.capacity
  }

  toArray(): T[] {
    const out: T[] = []
    for (let i = 0; i < this.count; i++) out.push(this.items[(this.start + i) % this.capacity] as T)
    return out
  }

  get size(): number {
    return this.count
  }
}
