/**
 * Cuts texts into padded batches of similar length. A padded forward costs about
 * rows x longest row tokens, plus a fixed overhead per forward (op dispatch, a few dozen
 * tokens' worth on native TensorFlow); for a call of mixed-length headlines one batch padded to
 * its longest member wastes about half its work. The cut that minimises
 * sum(rows_b x longest_b + overhead) over the length-sorted rows is found exactly by dynamic
 * programming (n is a call's texts, at most a few hundred).
 */
export function lengthBuckets(lengths: readonly number[], overheadTokens: number): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a] - lengths[b] || a - b);
  const n = order.length;
  // best[j]: least cost of the first j sorted rows; cut[j]: where its last bucket starts
  const best = new Float64Array(n + 1);
  const cut = new Int32Array(n + 1);
  for (let j = 1; j <= n; j++) {
    best[j] = Infinity;
    const longest = lengths[order[j - 1]];
    for (let i = 0; i < j; i++) {
      const cost = best[i] + (j - i) * longest + overheadTokens;
      if (cost < best[j]) {
        best[j] = cost;
        cut[j] = i;
      }
    }
  }
  const buckets: number[][] = [];
  for (let j = n; j > 0; j = cut[j]) buckets.unshift(order.slice(cut[j], j));
  return buckets;
}
