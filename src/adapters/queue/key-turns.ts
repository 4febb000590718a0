// Whose turn it is, per serialization key, in one process: the jobs of a key run one at a
// time, in the order they became due, ties in the order they were added. The BullMQ
// adapter keeps the same order in Redis (serialization-keys.ts).

export interface Turn {
  readonly key: string;
  readonly dueAt: number;
  readonly seq: number;
}

export class KeyTurns {
  private readonly byKey = new Map<string, Turn[]>();
  private seq = 0;

  /** A place in the line of `key`, for a job due at `dueAt`; it lasts until release(). */
  take(key: string, dueAt: number): Turn {
    const turn: Turn = { key, dueAt, seq: this.seq++ };
    const line = this.byKey.get(key) ?? [];
    // Usually the last place: walk back from the end.
    let at = line.length;
    while (at > 0 && (line[at - 1] as Turn).dueAt > dueAt) at--;
    line.splice(at, 0, turn);
    this.byKey.set(key, line);
    return turn;
  }

  /** The job holding this turn may run: no earlier job of its key is unfinished. */
  isFirst(turn: Turn): boolean {
    return this.byKey.get(turn.key)?.[0] === turn;
  }

  /** The job finished (done, failed for good, or dropped): the next of its key may run. */
  release(turn: Turn): void {
    const line = this.byKey.get(turn.key);
    if (!line) return;
    const at = line.indexOf(turn);
    if (at >= 0) line.splice(at, 1);
    if (line.length === 0) this.byKey.delete(turn.key);
  }
}
