/**
 * Progress on stderr (stdout carries the table). On a terminal one line is rewritten in place;
 * elsewhere (turbo, CI logs) a line is printed at every 25 % so logs stay readable.
 */
export class Progress {
  private readonly tty = Boolean(process.stderr.isTTY);
  private lastQuarter = -1;
  private label = '';

  constructor(private readonly enabled = true) {}

  phase(label: string): void {
    this.end();
    this.label = label;
    this.lastQuarter = -1;
    if (this.enabled) this.write(`${label} …`, !this.tty);
  }

  tick(done: number, total: number): void {
    if (!this.enabled) return;
    if (this.tty) {
      this.write(`${this.label} ${done}/${total}`, false);
      return;
    }
    const quarter = Math.floor((done / total) * 4);
    if (quarter > this.lastQuarter && quarter > 0) {
      this.lastQuarter = quarter;
      this.write(`${this.label} ${done}/${total}`, true);
    }
  }

  note(line: string): void {
    this.end();
    if (this.enabled) process.stderr.write(`${line}\n`);
  }

  end(): void {
    if (this.enabled && this.tty && this.label) process.stderr.write('\n');
    this.label = '';
  }

  private write(text: string, newline: boolean): void {
    process.stderr.write(this.tty ? `\r\x1b[2K[bench] ${text}` : `[bench] ${text}\n`);
    if (this.tty && newline) process.stderr.write('\n');
  }
}
