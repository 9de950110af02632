/** Types of dedup-corpus.mjs. */
export interface PlantedCorpus {
  /** Lines (1-based) that are near-copies, with the line of the original they copy. */
  copyOf: Map<number, number>;
  lines: number;
}
export function writeRecords(file: string, n: number, opts?: { seed?: number; copyRate?: number; words?: number }): PlantedCorpus;
