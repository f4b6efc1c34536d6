// A value computed at most once per turn of the event loop, for a given key: what every program of a
// `tend up` needs in the same turn (100 creates) is worked out once, and nothing outlives the turn to
// go stale.
export function cacheForTurn<K, V>(compute: (key: K) => V): (key: K) => V {
  let cached: { key: K; value: V } | null = null;
  return (key) => {
    if (cached === null || cached.key !== key) {
      cached = { key, value: compute(key) };
      setImmediate(() => {
        cached = null;
      });
    }
    return cached.value;
  };
}
