/* Inline helpers in a header of another directory, so line tables name a second file and dir. */
static inline unsigned mix(unsigned x) {
  x ^= x >> 16;
  x *= 0x7feb352dU;
  x ^= x >> 15;
  return x;
}
static inline unsigned mix2(unsigned a, unsigned b) { return mix(a) + mix(b * 3U); }
