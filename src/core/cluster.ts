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

/**
 * Components with at least two members; members ascending, components by smallest member.
 * Edges are pairs of document numbers below n: tuples, or objects with `a` and `b` (scored pairs).
 * Linear: members are collected in one pass over the documents, in order.
 */
export function components(n: number, edges: ReadonlyArray<readonly [number, number] | { readonly a: number; readonly b: number }>): number[][] {
  const uf = new UnionFind(n);
  const touched = new Uint8Array(n);
  for (const e of edges) {
    // the ends read in one test, with no tuple made an edge (this runs cold, over every verified pair)
    let a: number;
    let b: number;
    if ('a' in e) {
      a = e.a;
      b = e.b;
    } else {
      a = e[0];
      b = e[1];
    }
    uf.union(a, b);
    touched[a] = 1;
    touched[b] = 1;
  }
  // a component is numbered when its smallest member comes up
  const slot = new Int32Array(n).fill(-1);
  const out: number[][] = [];
  for (let x = 0; x < n; x++) {
    if (!touched[x]) continue;
    const r = uf.find(x);
    if (slot[r]! < 0) {
      slot[r] = out.length;
      out.push([]);
    }
    out[slot[r]!]!.push(x);
  }
  return out.filter((c) => c.length > 1);
}
