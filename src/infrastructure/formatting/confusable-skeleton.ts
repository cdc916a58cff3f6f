import unhomoglyph from 'unhomoglyph';

/**
 * The confusable skeleton of Unicode TS #39 (§4): NFD, every character replaced by its
 * prototype from the Unicode confusables data, NFD again. Two strings that look alike to a
 * person (`admin` and `аdmin` with a Cyrillic а, `rn` and `m`) have the same skeleton. Not for
 * display: it only tells whether two names could be mistaken for each other.
 */
export function confusableSkeleton(value: string): string {
  return unhomoglyph(value.normalize('NFD')).normalize('NFD');
}
