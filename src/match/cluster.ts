/** Groups: connected components of the verified pairs (union-find with path halving). */
export class UnionFind {
  private readonly parent: Uint32Array;
  private readonly rank: Uint8Array;
  constructor(n: number) {
    this.parent = new Uint32Array(n);
    this.rank = new Uint8Array(n);
    for (let i = 0; i < n; i++) this.parent[i] = i;
  }
  find(x: number): number {
    const p = this.parent;
    while (p[x] !== x) {
      p[x] = p[p[x]!]!;
      x = p[x]!;
    }
    return x;
  }
  union(a: number, b: number): void {
    let ra = this.find(a);
    let rb = this.find(b);
    if (ra === rb) return;
    if (this.rank[ra]! < this.rank[rb]!) [ra, rb] = [rb, ra];
    this.parent[rb] = ra;
    if (this.rank[ra] === this.rank[rb]) this.rank[ra]!++;
  }
}

/** Components with at least two members; members ascending, components by smallest member. */
export function components(n: number, edges: ReadonlyArray<readonly [number, number]>): number[][] {
  const uf = new UnionFind(n);
  for (const [a, b] of edges) uf.union(a, b);
  const byRoot = new Map<number, number[]>();
  const touched = new Set<number>();
  for (const [a, b] of edges) {
    touched.add(a);
    touched.add(b);
  }
  for (const x of [...touched].sort((p, q) => p - q)) {
    const r = uf.find(x);
    let list = byRoot.get(r);
    if (!list) byRoot.set(r, (list = []));
    list.push(x);
  }
  return [...byRoot.values()].filter((c) => c.length > 1).sort((p, q) => p[0]! - q[0]!);
}
