/** A binary min-heap of (expiresAt, key): which keys may have expired, soonest first. */
export class ExpiryQueue {
  private readonly at: number[] = [];
  private readonly keys: Buffer[] = [];

  get size(): number {
    return this.at.length;
  }

  push(expiresAt: number, key: Buffer): void {
    let i = this.at.length;
    this.at.push(expiresAt);
    this.keys.push(key);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.at[p]! <= this.at[i]!) break;
      this.swap(i, p);
      i = p;
    }
  }

  /** Pops every key due at or before `time`. */
  popDue(time: number): Buffer[] {
    const out: Buffer[] = [];
    while (this.at.length > 0 && this.at[0]! <= time) {
      out.push(this.keys[0]!);
      const lastAt = this.at.pop()!;
      const lastKey = this.keys.pop()!;
      if (this.at.length === 0) break;
      this.at[0] = lastAt;
      this.keys[0] = lastKey;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.at.length && this.at[l]! < this.at[m]!) m = l;
        if (r < this.at.length && this.at[r]! < this.at[m]!) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return out;
  }

  clear(): void {
    this.at.length = 0;
    this.keys.length = 0;
  }

  private swap(a: number, b: number): void {
    [this.at[a], this.at[b]] = [this.at[b]!, this.at[a]!];
    [this.keys[a], this.keys[b]] = [this.keys[b]!, this.keys[a]!];
  }
}
