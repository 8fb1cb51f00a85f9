/**
 * Orders strings the way a `java.util.HashSet<String>` built from them iterates, so that topic and
 * store lists in `describe()` text print in the same order as Kafka's.
 * @example
 * javaHashSetOrder(['orders', 'payments', 'alpha']); // ['payments', 'alpha', 'orders']
 */
export function javaHashSetOrder(values: readonly string[]): string[] {
  const unique = [...new Set(values)];
  if (unique.length < 2) return unique;
  let capacity = 1;
  const wanted = Math.max(Math.floor(unique.length / 0.75) + 1, 16);
  while (capacity < wanted) capacity *= 2;
  const bucket = (s: string) => {
    let h = 0;
    for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
    return (h ^ (h >>> 16)) & (capacity - 1);
  };
  return unique
    .map((value, index) => ({ value, index, bucket: bucket(value) }))
    .sort((a, b) => a.bucket - b.bucket || a.index - b.index)
    .map((e) => e.value);
}
