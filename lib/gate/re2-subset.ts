/**
 * Which RE2 patterns JavaScript's RegExp (with the `u` flag) matches exactly alike, and their JavaScript source.
 *
 * The subset is deliberately small: printable ASCII literals, `\d`, `\w`, escaped punctuation, `.` (written
 * `[^\n]`, RE2's meaning), bracket classes of literals and ranges, groups, alternation, `^`/`$`, and the
 * quantifiers `? * + {n} {n,} {n,m}` (bounds up to 1000, greedy or lazy). Two more rules keep both engines in
 * agreement: no loop inside a loop (RE2 limits nested counts; a backtracking engine could take exponential time
 * on it), and nothing either engine would reject or read differently (`]` or `-` in odd places, lone braces, flags,
 * POSIX classes, `\pN`, `\Q..\E`). Within it a `test` is the same question for both engines: is there a match
 * anywhere, which does not depend on how each engine searches. Every other pattern stays on RE2.
 */

const SYNTAX = new Set('^$\\.*+?()[]{}|/');
const META = new Set('^$\\.*+?()[]{}|');
const MAX_COUNT = 1000;

interface Parsed {
  /** The sub-pattern contains a loop (`*`, `+`, or a count above one). */
  loops: boolean;
}

class Subset {
  private at = 0;
  private out = '';
  private depth = 0;

  constructor(private readonly src: string) {}

  private peek(): string | undefined {
    return this.src[this.at];
  }

  translate(): string | undefined {
    this.alternation();
    return this.at === this.src.length ? this.out : undefined;
  }

  private fail(): never {
    throw new NotInSubset();
  }

  private alternation(): Parsed {
    let loops = this.sequence().loops;
    while (this.peek() === '|') {
      this.out += '|';
      this.at++;
      loops = this.sequence().loops || loops;
    }
    return { loops };
  }

  private sequence(): Parsed {
    let loops = false;
    while (this.at < this.src.length && this.peek() !== '|' && this.peek() !== ')') loops = this.quantified() || loops;
    return { loops };
  }

  /** One atom and its quantifier; whether the result contains a loop. */
  private quantified(): boolean {
    const atom = this.atom();
    const q = this.quantifier();
    if (q === undefined) return atom?.loops ?? false;
    if (!atom) this.fail(); // nothing to repeat (an anchor)
    if (q.loop && atom.loops) this.fail();
    if (this.peek() === '?') {
      this.out += '?';
      this.at++;
    }
    if (this.peek() !== undefined && '*+?{'.includes(this.peek()!)) this.fail();
    return q.loop || atom.loops;
  }

  private quantifier(): { loop: boolean } | undefined {
    const c = this.peek();
    if (c === '*' || c === '+' || c === '?') {
      this.out += c;
      this.at++;
      return { loop: c !== '?' };
    }
    if (c !== '{') return undefined;
    const m = /^\{(\d{1,4})(,(\d{0,4}))?\}/.exec(this.src.slice(this.at));
    if (!m) this.fail();
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
    if (min > MAX_COUNT || (max !== Infinity && (max > MAX_COUNT || max < min))) this.fail();
    this.out += m[0];
    this.at += m[0].length;
    return { loop: max > 1 };
  }

  /** An atom; undefined for an anchor, which cannot be repeated. */
  private atom(): Parsed | undefined {
    const c = this.peek()!;
    this.at++;
    if (c === '^' || c === '$') {
      this.out += c;
      return undefined;
    }
    if (c === '.') {
      this.out += '[^\\n]';
      return { loops: false };
    }
    if (c === '\\') {
      this.out += `\\${this.escape(false)}`;
      return { loops: false };
    }
    if (c === '[') return this.bracket();
    if (c === '(') return this.group();
    if (META.has(c) || !isPrintableAscii(c)) this.fail();
    this.out += c;
    return { loops: false };
  }

  /** The character after `\`: `d`, `w` or punctuation (`-` only inside brackets). */
  private escape(inBracket: boolean): string {
    const c = this.peek();
    this.at++;
    if (c === 'd' || c === 'w' || (c !== undefined && (SYNTAX.has(c) || (inBracket && c === '-')))) return c;
    return this.fail();
  }

  private group(): Parsed {
    if (++this.depth > 100) this.fail();
    this.out += '(';
    if (this.peek() === '?') {
      if (this.src[this.at + 1] !== ':') this.fail();
      this.out += '?:';
      this.at += 2;
    }
    const inner = this.alternation();
    if (this.peek() !== ')') this.fail();
    this.out += ')';
    this.at++;
    this.depth--;
    return inner;
  }

  /** A bracket class of literals, escaped punctuation, `\d`, `\w` and ranges; `-` only first or last. */
  private bracket(): Parsed {
    let text = '[';
    if (this.peek() === '^') {
      text += '^';
      this.at++;
    }
    const first = this.at;
    for (;;) {
      const c = this.peek();
      if (c === undefined || c === '[') this.fail();
      if (c === ']') {
        if (this.at === first) this.fail();
        this.at++;
        break;
      }
      if (c === '-' && this.at !== first && this.src[this.at + 1] !== ']') this.fail();
      const lo = this.member();
      text += lo.text;
      if (this.peek() === '-' && this.src[this.at + 1] !== ']' && this.src[this.at + 1] !== undefined) {
        this.at++;
        const hi = this.member();
        if (lo.char === undefined || hi.char === undefined || hi.char < lo.char) this.fail();
        text += `-${hi.text}`;
      }
    }
    this.out += `${text}]`;
    return { loops: false };
  }

  /** One bracket member; `char` is its literal character (undefined for `\d`, `\w`). */
  private member(): { text: string; char?: string } {
    const c = this.peek()!;
    this.at++;
    if (c === '\\') {
      const e = this.escape(true);
      return e === 'd' || e === 'w' ? { text: `\\${e}` } : { text: `\\${e}`, char: e };
    }
    if (c === '[' || c === ']' || !isPrintableAscii(c)) this.fail();
    return { text: c, char: c };
  }
}

class NotInSubset extends Error {}

function isPrintableAscii(c: string): boolean {
  return c >= ' ' && c <= '~';
}

/** The JavaScript source matching exactly what RE2 `pattern` matches, or undefined outside the subset. */
export function sameInJavaScript(pattern: string): string | undefined {
  try {
    return new Subset(pattern).translate();
  } catch (e) {
    if (e instanceof NotInSubset) return undefined;
    throw e;
  }
}
