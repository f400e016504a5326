// What a release name says about itself: No-Intro style "Title (Region) (Rev 1) [b]".
const REGIONS = new Set([
  'World', 'USA', 'Europe', 'Japan', 'Asia', 'Australia', 'Brazil', 'Canada', 'China', 'France', 'Germany',
  'Hong Kong', 'Italy', 'Korea', 'Netherlands', 'Spain', 'Sweden', 'Taiwan', 'United Kingdom', 'UK', 'Russia',
  'Scandinavia', 'Denmark', 'Finland', 'Norway', 'Portugal', 'Greece', 'Poland', 'Mexico', 'Argentina', 'India',
  'Unknown',
]);

/** "ActRaiser (USA) (Rev 1)" → "ActRaiser": the name without parenthesised or bracketed tags. */
export function titleOf(releaseName: string): string {
  const stripped = releaseName.replace(/\s*[([][^)\]]*[)\]]/g, '').trim();
  return stripped || releaseName.trim();
}

/** The first tag made only of known region names: "(USA, Europe)" → "USA, Europe". */
export function regionOf(releaseName: string): string | null {
  for (const m of releaseName.matchAll(/\(([^)]*)\)/g)) {
    const parts = m[1]!.split(',').map((s) => s.trim());
    if (parts.length && parts.every((p) => REGIONS.has(p))) return parts.join(', ');
  }
  return null;
}
