/**
 * Length-prefixed UTF-8 frames in one growable buffer: the hand-written "log" the anchors of the
 * stateless and windowed benchmarks append to and read back.
 * @example
 * const log = new FrameLog(); log.append('key'); log.buf.readUInt32BE(0); // 3
 */
export class FrameLog {
  buf = Buffer.allocUnsafe(1 << 20);
  end = 0;
  /** Writes the UTF-8 of `text` straight into the buffer (no intermediate Buffer). */
  append(text: string): void {
    const max = this.end + 4 + text.length * 3;
    if (max > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.max(max, this.buf.length * 2));
      this.buf.copy(next, 0, 0, this.end);
      this.buf = next;
    }
    const written = this.buf.write(text, this.end + 4, 'utf8');
    this.buf.writeUInt32BE(written, this.end);
    this.end += 4 + written;
  }
}
