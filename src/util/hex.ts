// Addresses kept as two u32 halves (a u64 above 2^53 does not fit a double) printed as hex.

/** The u64 (hi, lo) as perf's "%lx": lowercase hex without leading zeros or 0x. */
export function hexOfHalves(hi: number, lo: number): string {
  return hi ? hi.toString(16) + lo.toString(16).padStart(8, '0') : lo.toString(16);
}
