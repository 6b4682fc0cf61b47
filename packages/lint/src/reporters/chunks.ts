/** Marks where a large array goes in a JSON skeleton. */
const PLACEHOLDER = '\u0000zerodrop-items\u0000';

/** JSON.stringify(value, null, 2), with every line after the first indented by `depth` levels. */
function nested(value: unknown, depth: number): string {
  return JSON.stringify(value, null, 2).replaceAll('\n', `\n${'  '.repeat(depth)}`);
}

/**
 * The text of `JSON.stringify(skeleton, null, 2)` where the one string PLACEHOLDER in `skeleton` is replaced by
 * `items` as a JSON array, written an item at a time: a report of a large input is never one string in memory.
 * `depth` is how many maps and lists enclose the array; `toJson` gives the JSON form of an item.
 */
export function* jsonWithItems<T>(
  skeleton: unknown,
  items: readonly T[],
  depth: number,
  toJson: (item: T) => unknown = (item) => item,
): Generator<string> {
  const whole = JSON.stringify(skeleton, null, 2);
  const at = whole.indexOf(JSON.stringify(PLACEHOLDER));
  yield whole.slice(0, at);
  if (items.length === 0) yield '[]';
  else {
    const pad = '  '.repeat(depth + 1);
    yield '[\n';
    // Each item is turned into its JSON form as it is written, not all of them up front.
    for (let i = 0; i < items.length; i++) yield `${i ? ',\n' : ''}${pad}${nested(toJson(items[i]!), depth + 1)}`;
    yield `\n${'  '.repeat(depth)}]`;
  }
  yield whole.slice(at + JSON.stringify(PLACEHOLDER).length);
}

export { PLACEHOLDER };
