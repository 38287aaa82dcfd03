import type { Geo } from '../api.js';
import { fmtInt, fmtK } from '../format.js';
import { MAP_HEIGHT, MAP_WIDTH, countryName, getWorld } from '../world.js';

const FLOWS_DRAWN = 10;

/** Pale to deep blue by signups (square root, so small countries still show). */
const fillFor = (signups: number, max: number) =>
  signups > 0 ? `hsl(212 75% ${Math.round(88 - 50 * Math.sqrt(signups / max))}%)` : '#e5e7eb';

/** Signups per country (colour), K on hover, and the strongest referrer → invitee country flows (arcs). */
export function GeoMap({ g }: { g: Geo }) {
  const known = g.countries.filter((c) => c.country !== null);
  if (g.countries.every((c) => c.signups === 0 && c.invites === 0)) {
    return <p class="empty">No signups or invites in this period.</p>;
  }
  const world = getWorld();
  const byCode = new Map(known.map((c) => [c.country!, c]));
  const byId = new Map<string, (typeof known)[number]>();
  for (const c of known) {
    const shape = world.byAlpha2.get(c.country!);
    if (shape) byId.set(shape.id, c);
  }
  const max = Math.max(1, ...known.map((c) => c.signups));
  const flows = g.flows.filter((f) => f.fromCountry !== f.toCountry).slice(0, FLOWS_DRAWN);
  const maxFlow = Math.max(1, ...flows.map((f) => f.signups));
  const top = [...g.countries].sort((a, b) => b.signups - a.signups || b.invites - a.invites);
  return (
    <>
      <div class="map-wrap">
        <svg
          class="world-map"
          viewBox={`0 0 ${MAP_WIDTH} ${MAP_HEIGHT}`}
          role="img"
          aria-label={`World map: signups by country (darker is more), and the ${flows.length} strongest referral flows between countries`}
        >
          {world.countries.map((shape) => {
            const c = byId.get(shape.id);
            return (
              <path key={shape.id} d={shape.d} fill={fillFor(c?.signups ?? 0, max)} class="country">
                <title>
                  {c
                    ? `${countryName(c.country)}: ${fmtInt(c.signups)} signups, K ${fmtK(c.kFactor)} (${fmtInt(c.invites)} invites)`
                    : `${shape.name}: no signups`}
                </title>
              </path>
            );
          })}
          {flows.map((f) => {
            const a = world.byAlpha2.get(f.fromCountry);
            const b = world.byAlpha2.get(f.toCountry);
            if (!a || !b) return null;
            const [x1, y1] = a.centroid;
            const [x2, y2] = b.centroid;
            // A gentle arc above the straight line, so opposite flows do not overlap.
            const mx = (x1 + x2) / 2 - (y2 - y1) * 0.2;
            const my = (y1 + y2) / 2 + (x2 - x1) * 0.2 * -1;
            return (
              <path
                key={`${f.fromCountry}-${f.toCountry}`}
                class="flow"
                d={`M${x1.toFixed(1)},${y1.toFixed(1)} Q${mx.toFixed(1)},${my.toFixed(1)} ${x2.toFixed(1)},${y2.toFixed(1)}`}
                stroke-width={(1.5 + 4 * (f.signups / maxFlow)).toFixed(1)}
              >
                <title>{`${countryName(f.fromCountry)} → ${countryName(f.toCountry)}: ${fmtInt(f.signups)} referred signups`}</title>
              </path>
            );
          })}
        </svg>
      </div>
      <div class="grid-2">
        <div class="table-wrap">
          <table class="geo-countries">
            <caption>Countries by signups (K of the invites their users sent)</caption>
            <thead>
              <tr>
                <th scope="col">Country</th>
                <th scope="col" class="num">
                  Signups
                </th>
                <th scope="col" class="num">
                  Referred
                </th>
                <th scope="col" class="num">
                  Invites
                </th>
                <th scope="col" class="num">
                  K
                </th>
              </tr>
            </thead>
            <tbody>
              {top.slice(0, 15).map((c) => (
                <tr key={c.country ?? 'unknown'}>
                  <th scope="row">{countryName(c.country)}</th>
                  <td class="num">{fmtInt(c.signups)}</td>
                  <td class="num">{fmtInt(c.referredSignups)}</td>
                  <td class="num">{fmtInt(c.invites)}</td>
                  <td class="num">{fmtK(c.kFactor)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div class="table-wrap">
          {g.flows.length === 0 ? (
            <p class="empty">No referred signups between users of known countries.</p>
          ) : (
            <table class="geo-flows">
              <caption>Strongest flows: referrer’s country → invitee’s country</caption>
              <thead>
                <tr>
                  <th scope="col">From</th>
                  <th scope="col">To</th>
                  <th scope="col" class="num">
                    Signups
                  </th>
                </tr>
              </thead>
              <tbody>
                {g.flows.slice(0, 15).map((f) => (
                  <tr key={`${f.fromCountry}-${f.toCountry}`}>
                    <td>{countryName(f.fromCountry)}</td>
                    <td>{countryName(f.toCountry)}</td>
                    <td class="num">{fmtInt(f.signups)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      </div>
      {byCode.size > 0 && known.some((c) => !world.byAlpha2.has(c.country!)) ? (
        <p class="sub">Countries too small for the 1:110m map are listed in the table only.</p>
      ) : null}
    </>
  );
}
