// A long list shown a page at a time. The client page holds years of notes and
// sessions; rendering thousands of rows at once would make it slow to open and
// heavy to scroll, so only the first pageSize rows are in the DOM until the user
// asks for more (ShowMore.svelte: a real button, so keyboard users get it too).

export class Paged<T> {
  /** How many rows are shown now. */
  shown = $state(0);
  readonly pageSize: number;
  #items: () => readonly T[];

  constructor(items: () => readonly T[], pageSize = 50) {
    this.#items = items;
    this.pageSize = pageSize;
    this.shown = pageSize;
  }

  /** The rows to render. */
  get visible(): readonly T[] {
    return this.#items().slice(0, this.shown);
  }

  /** How many rows are not shown yet. */
  get hidden(): number {
    return Math.max(0, this.#items().length - this.shown);
  }

  /** Shows the next page; returns the index of the first row it revealed. */
  more(): number {
    const first = this.shown;
    this.shown += this.pageSize;
    return first;
  }

  /** Back to the first page (a new list). */
  reset(): void {
    this.shown = this.pageSize;
  }
}
