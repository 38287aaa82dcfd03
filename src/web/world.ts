// The world map's shapes, bundled (nothing is fetched): Natural Earth 1:110m countries from world-atlas, keyed by
// ISO 3166-1 numeric code, and the alpha-2 → numeric table of i18n-iso-countries to find them by the API's codes.
import type { Feature, FeatureCollection, Geometry } from 'geojson';
import { geoCentroid, geoEqualEarth, geoPath } from 'd3-geo';
import codes from 'i18n-iso-countries/codes.json';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import atlas from 'world-atlas/countries-110m.json';

export const MAP_WIDTH = 960;
export const MAP_HEIGHT = 470;

export interface Country {
  /** ISO 3166-1 numeric, as world-atlas names it. */
  id: string;
  name: string;
  d: string;
  /** Projected centroid, where flows start and end. */
  centroid: [number, number];
}

interface World {
  countries: Country[];
  byAlpha2: Map<string, Country>;
}

let world: World | null = null;

/** Projects the atlas once, on first use. */
export function getWorld(): World {
  if (world) return world;
  const topo = atlas as unknown as Topology<{ countries: GeometryCollection<{ name: string }> }>;
  const fc = feature(topo, topo.objects.countries) as FeatureCollection<Geometry, { name: string }>;
  const projection = geoEqualEarth().fitSize([MAP_WIDTH, MAP_HEIGHT], fc);
  const path = geoPath(projection);
  const countries: Country[] = [];
  for (const f of fc.features as Feature<Geometry, { name: string }>[]) {
    const d = path(f);
    const c = projection(geoCentroid(f));
    if (!d || !c || f.id === undefined) continue;
    countries.push({ id: String(f.id), name: f.properties.name, d, centroid: [c[0], c[1]] });
  }
  const byNumeric = new Map(countries.map((c) => [c.id, c]));
  const byAlpha2 = new Map<string, Country>();
  for (const [alpha2, , numeric] of codes as [string, string, string][]) {
    const c = byNumeric.get(numeric);
    if (c) byAlpha2.set(alpha2, c);
  }
  world = { countries, byAlpha2 };
  return world;
}

const names = new Intl.DisplayNames(['en'], { type: 'region' });

/** "FR" → "France"; null → "Unknown". */
export const countryName = (code: string | null): string => {
  if (code === null) return 'Unknown';
  try {
    return names.of(code) ?? code;
  } catch {
    return code;
  }
};
