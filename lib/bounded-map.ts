// A Map that keeps at most `max` entries (setting a key makes it the newest; the oldest is dropped first), and one
// such map per owner object (a worker's deps, a database client), made on first use and gone with its owner. For
// the small per-process memories of things that never change or carry their own version (releases, a deployment's
// log bindings, environment rows by xmin).
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly max: number) {
    super();
  }

  override set(key: K, value: V): this {
    this.delete(key);
    super.set(key, value);
    if (this.size > this.max) this.delete(this.keys().next().value as K);
    return this;
  }
}

/** `(owner) => its BoundedMap`, each made on first use. */
export function boundedMapsPer<O extends object, K, V>(max: number): (owner: O) => BoundedMap<K, V> {
  const maps = new WeakMap<O, BoundedMap<K, V>>();
  return (owner) => {
    let map = maps.get(owner);
    if (!map) maps.set(owner, (map = new BoundedMap<K, V>(max)));
    return map;
  };
}
