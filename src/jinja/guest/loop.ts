// jinja2.runtime.LoopContext: the `loop` variable inside a for loop.
import { typeError } from "./errors.js";
import { NOT_FOUND, Callable, Undefined, eq, tuple, type HasAttrs } from "./python.js";

const UNSET: unique symbol = Symbol("unset");

export class LoopContext implements HasAttrs {
  static readonly pyName = "LoopContext";
  /** 0-based position, advanced by the generated loop code. */
  i0 = -1;
  private lastChanged: unknown = UNSET;
  constructor(
    readonly items: unknown[],
    readonly depth0: number,
    /** Renders the loop body again for `loop(children)` in recursive loops. */
    private readonly recurse: ((items: unknown, depth0: number) => string) | null,
  ) {}

  get length(): number {
    return this.items.length;
  }

  pyAttr(name: string): unknown {
    const n = this.items.length;
    switch (name) {
      case "index":
        return this.i0 + 1;
      case "index0":
        return this.i0;
      case "revindex":
        return n - this.i0;
      case "revindex0":
        return n - this.i0 - 1;
      case "first":
        return this.i0 === 0;
      case "last":
        return this.i0 === n - 1;
      case "length":
        return n;
      case "depth":
        return this.depth0 + 1;
      case "depth0":
        return this.depth0;
      case "previtem":
        return this.i0 === 0 ? new Undefined("there is no previous item") : this.items[this.i0 - 1];
      case "nextitem":
        return this.i0 + 1 >= n ? new Undefined("there is no next item") : this.items[this.i0 + 1];
      case "cycle":
        return new Callable("cycle", (args) => {
          if (!args.length) throw typeError("no items for cycling given");
          return args[this.i0 % args.length];
        });
      case "changed":
        return new Callable("changed", (args) => {
          const value = tuple(args.slice());
          if (this.lastChanged !== UNSET && eq(this.lastChanged, value)) return false;
          this.lastChanged = value;
          return true;
        });
      default:
        return NOT_FOUND;
    }
  }

  pyCall(args: unknown[]): unknown {
    if (!this.recurse) {
      throw typeError("The loop must have the 'recursive' marker to be called recursively.");
    }
    return this.recurse(args[0], this.depth0 + 1);
  }

  pyRepr(): string {
    return `<LoopContext ${this.i0 + 1}/${this.items.length}>`;
  }
}
