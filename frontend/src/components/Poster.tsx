/**
 * A title's poster, or, when the chain has none, a placeholder drawn from the title's
 * name (its colours derived from the name, so each title keeps its own look).
 */
function hue(text: string): number {
  let hash = 0;
  for (const char of text) hash = (hash * 31 + char.codePointAt(0)!) >>> 0;
  return hash % 360;
}

export function posterSource(title: { poster?: string | null; poster_url?: string }): string | null {
  return title.poster || title.poster_url || null;
}

export function Poster({
  title,
  size = "card",
  eager = false,
}: {
  title: { name: string; poster?: string | null; poster_url?: string };
  size?: "card" | "large" | "small";
  eager?: boolean;
}) {
  const source = posterSource(title);
  if (source) {
    return (
      <img
        className={`poster poster-${size}`}
        src={source}
        alt={`Poster: ${title.name}`}
        loading={eager ? "eager" : "lazy"}
        decoding="async"
        width="240"
        height="360"
      />
    );
  }
  const h = hue(title.name);
  return (
    <div
      className={`poster poster-${size} poster-placeholder`}
      style={{ background: `linear-gradient(160deg, hsl(${h} 55% 32%), hsl(${(h + 50) % 360} 60% 18%))` }}
      role="img"
      aria-label={`Poster: ${title.name}`}
    >
      <span aria-hidden="true">{title.name}</span>
    </div>
  );
}
