/**
 * The seat map, drawn as SVG from each seat's `x`, `y` and `width`, with the screen or
 * stage. Shared by the storefront and the staff screens.
 *
 * Every seat is a focusable element (`role="checkbox"`) with an accessible name such
 * as "Row F, seat 12, Premium, ₹420, available", `data-seat-id` (the API id),
 * `data-state` (the API state) and `aria-checked` (the customer's own choice). One
 * seat at a time is in the tab order (a roving tab stop); the arrow keys move between
 * seats and Space or Enter chooses one. Pan and pinch-zoom come from d3-zoom: the
 * wheel zooms only with Ctrl or ⌘ (a trackpad pinch sends that), so scrolling the page
 * over the map still scrolls the page, and one finger scrolls the page until the map
 * is zoomed in.
 */

import { select } from "d3-selection";
import "d3-transition";
import { zoom, zoomIdentity, type ZoomBehavior } from "d3-zoom";
import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import type { Seat, SeatState } from "../api/types";
import { seatDescription, type CategoryInfo } from "./describe";
import { GAP, layout, UNIT } from "./geometry";
import { mine as mineOf, neighbour, type SeatMapState } from "./state";
import "./seatmap.css";

interface SeatProps {
  seat: Seat;
  state: SeatState;
  checked: boolean;
  mine: boolean;
  categoryClass: string;
  label: string;
  tabbable: boolean;
  companion: boolean;
}

/**
 * One seat: a single `rect` (the focusable, named element), plus a small mark only on
 * the seats that need one (the customer's own, wheelchair places, companion and couple
 * seats). Taken seats are hatched by a shared pattern, not drawn over, and colours come
 * from one class per category, so a 400-seat map stays around 450 elements.
 */
const SeatShape = memo(function SeatShape({
  seat,
  state,
  checked,
  mine,
  categoryClass,
  label,
  tabbable,
  companion,
}: SeatProps) {
  const x = seat.x * UNIT;
  const y = seat.y * UNIT;
  const width = seat.width * UNIT - GAP;
  const size = UNIT - GAP;
  const free = state === "available" && !mine;
  const own = checked || mine;
  const look = own ? " is-mine" : free ? "" : " is-taken";
  let mark: React.ReactNode = null;
  if (own) {
    mark = <path className="seat-mark" d={`M${x + width / 2 - 5} ${y + size / 2}l3.5 3.5l6.5 -7`} />;
  } else if (seat.wheelchair) {
    mark = <use href="#icon-wheelchair" x={x + width / 2 - 7} y={y + size / 2 - 7} width={14} height={14} className={`seat-icon ${categoryClass}`} />;
  } else if (companion) {
    mark = <circle cx={x + width / 2} cy={y + size / 2} r={3} className={`seat-icon ${categoryClass}`} />;
  } else if (seat.width > 1) {
    mark = <use href="#icon-couple" x={x + width / 2 - 7} y={y + size / 2 - 7} width={14} height={14} className={`seat-icon ${categoryClass}`} />;
  }
  return (
    <>
      <rect
        x={x}
        y={y}
        width={width}
        height={size}
        rx={5}
        role="checkbox"
        aria-checked={own}
        aria-disabled={!free && !checked ? true : undefined}
        aria-label={label}
        tabIndex={tabbable ? 0 : -1}
        data-seat-id={seat.id}
        data-state={state}
        data-mine={mine ? "true" : undefined}
        className={`seat ${categoryClass}${look}`}
      />
      {mark}
    </>
  );
});

/** `.cat-<code> { --seat-colour }` for each category, as one style sheet. */
function categoryStyles(categories: Map<string, CategoryInfo>): string {
  let css = "";
  for (const [code, category] of categories) {
    if (/^#[0-9a-fA-F]{6}$/.test(category.colour)) css += `.cat-${cssName(code)}{--seat-colour:${category.colour}}`;
  }
  return css;
}

const cssName = (code: string) => code.replace(/[^a-zA-Z0-9_-]/g, "_");

export interface SeatMapProps {
  state: SeatMapState;
  categories: Map<string, CategoryInfo>;
  prices: Record<string, number>;
  currency: string;
  locale: string;
  label: string;
  onToggle: (seatId: number) => void;
  /** Called once, when the first drawing with seats has been painted, with the milliseconds it took. */
  onRendered?: (milliseconds: number) => void;
}

const ARROWS: Record<string, "left" | "right" | "up" | "down"> = {
  ArrowLeft: "left",
  ArrowRight: "right",
  ArrowUp: "up",
  ArrowDown: "down",
};

export function SeatMap({ state, categories, prices, currency, locale, label, onToggle, onRendered }: SeatMapProps) {
  const renderStarted = performance.now();
  const svgRef = useRef<SVGSVGElement>(null);
  const layerRef = useRef<SVGGElement>(null);
  const zoomRef = useRef<ZoomBehavior<SVGSVGElement, unknown> | null>(null);
  const reported = useRef(false);
  const [focusId, setFocusId] = useState<number | null>(null);
  const [scale, setScale] = useState(1);
  const lastPointer = useRef<string>("");

  const shape = useMemo(() => layout(state.seats, state.screen), [state.seats, state.screen]);
  const companions = useMemo(() => {
    const ids = new Set<number>();
    for (const seat of state.seats) if (seat.companion) ids.add(seat.companion);
    return ids;
  }, [state.seats]);
  const sectionInName = useMemo(() => {
    const sectionsOfRow = new Map<string, Set<string>>();
    for (const seat of state.seats) {
      const sections = sectionsOfRow.get(seat.row) ?? new Set();
      sections.add(seat.section);
      sectionsOfRow.set(seat.row, sections);
    }
    return [...sectionsOfRow.values()].some((sections) => sections.size > 1);
  }, [state.seats]);

  const own = mineOf(state);
  const ownSet = useMemo(() => new Set(own), [own]);
  const selectedSet = useMemo(() => new Set(state.selected), [state.selected]);
  const heldSet = useMemo(() => new Set(state.hold?.seatIds ?? []), [state.hold]);

  // The seat in the tab order: the last one focused, else the customer's first seat,
  // else the first available seat in the middle of the map.
  const tabStop = useMemo(() => {
    if (focusId !== null && state.byId.has(focusId)) return focusId;
    if (own.length) return own[0];
    const available = state.seats.filter((seat) => state.states.get(seat.id) === "available");
    if (!available.length) return state.seats[0]?.id ?? null;
    const midY = (Math.min(...available.map((s) => s.y)) + Math.max(...available.map((s) => s.y))) / 2;
    const midX = (Math.min(...available.map((s) => s.x)) + Math.max(...available.map((s) => s.x))) / 2;
    let best = available[0];
    for (const seat of available) {
      if (Math.hypot(seat.x - midX, seat.y - midY) < Math.hypot(best.x - midX, best.y - midY)) best = seat;
    }
    return best.id;
  }, [focusId, own, state.byId, state.seats, state.states]);

  useEffect(() => {
    const svg = svgRef.current;
    const layer = layerRef.current;
    if (!svg || !layer) return;
    const behaviour = zoom<SVGSVGElement, unknown>()
      .scaleExtent([1, 6])
      .filter((event: Event) => {
        if (event.type === "wheel") return (event as WheelEvent).ctrlKey || (event as WheelEvent).metaKey;
        return !(event as MouseEvent).button;
      })
      .on("zoom", (event) => {
        layer.setAttribute("transform", event.transform.toString());
        // Zoomed in, one finger pans the map; at full view it scrolls the page.
        svg.style.touchAction = event.transform.k > 1.01 ? "none" : "pan-y";
      })
      .on("end", (event) => setScale(event.transform.k));
    zoomRef.current = behaviour;
    const selection = select(svg);
    selection.call(behaviour);
    // A double tap chooses and unchooses a seat; it must not also zoom.
    selection.on("dblclick.zoom", null);
    svg.style.touchAction = "pan-y";
    return () => {
      selection.on(".zoom", null);
    };
  }, []);

  useEffect(() => {
    const svg = svgRef.current;
    const behaviour = zoomRef.current;
    if (!svg || !behaviour) return;
    const [x, y, width, height] = shape.viewBox.split(" ").map(Number);
    behaviour.translateExtent([
      [x, y],
      [x + width, y + height],
    ]);
    behaviour.extent([
      [x, y],
      [x + width, y + height],
    ]);
  }, [shape.viewBox]);

  useLayoutEffect(() => {
    if (reported.current || !state.seats.length) return;
    reported.current = true;
    const svg = svgRef.current;
    const committed = performance.now() - renderStarted;
    svg?.setAttribute("data-render-ms", committed.toFixed(1));
    // And until the frame with the map has been painted: the next animation frame runs
    // before that paint, and a message posted from it is handled after it.
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        const painted = performance.now() - renderStarted;
        svg?.setAttribute("data-paint-ms", painted.toFixed(1));
        onRendered?.(painted);
      };
      channel.port2.postMessage(null);
    });
  });

  const zoomBy = useCallback((factor: number) => {
    const svg = svgRef.current;
    const behaviour = zoomRef.current;
    if (svg && behaviour) select(svg).call(behaviour.scaleBy, factor);
  }, []);
  const reset = useCallback(() => {
    const svg = svgRef.current;
    const behaviour = zoomRef.current;
    if (svg && behaviour) select(svg).call(behaviour.transform, zoomIdentity);
  }, []);

  const seatFromEvent = (event: { target: EventTarget | null }) => {
    const target = event.target as Element | null;
    const id = target?.closest?.("[data-seat-id]")?.getAttribute("data-seat-id");
    return id ? Number(id) : null;
  };

  const onClick = (event: React.MouseEvent<SVGSVGElement>) => {
    const id = seatFromEvent(event);
    if (id === null) return;
    setFocusId(id);
    // On a phone showing the whole map, seats are smaller than a fingertip: the first
    // tap of a finger zooms in around it, and the next one chooses. Only a real touch:
    // a screen reader's activation (a click without a pointer, `detail` 0) chooses.
    const svg = svgRef.current;
    const behaviour = zoomRef.current;
    if (svg && behaviour && event.detail > 0 && lastPointer.current === "touch") {
      const [, , viewWidth] = shape.viewBox.split(" ").map(Number);
      const onScreen = (svg.getBoundingClientRect().width / viewWidth) * UNIT * scale;
      if (onScreen < 22) {
        const box = svg.getBoundingClientRect();
        const [x, y] = [event.clientX - box.left, event.clientY - box.top];
        const factor = Math.min(6, 26 / onScreen);
        const point: [number, number] = [
          (x / box.width) * viewWidth + Number(shape.viewBox.split(" ")[0]),
          (y / box.height) * Number(shape.viewBox.split(" ")[3]) + Number(shape.viewBox.split(" ")[1]),
        ];
        select(svg).transition().duration(250).call(behaviour.scaleBy, factor, point);
        return;
      }
    }
    onToggle(id);
  };

  const onKeyDown = (event: React.KeyboardEvent<SVGSVGElement>) => {
    const id = seatFromEvent(event);
    if (id === null) return;
    const seat = state.byId.get(id);
    if (!seat) return;
    if (event.key === " " || event.key === "Enter") {
      event.preventDefault();
      onToggle(id);
      return;
    }
    const direction = ARROWS[event.key];
    if (!direction) return;
    event.preventDefault();
    const next = neighbour(state.seats, seat, direction);
    if (next) {
      setFocusId(next.id);
      const element = svgRef.current?.querySelector<SVGElement>(`[data-seat-id="${next.id}"]`);
      element?.focus();
    }
  };

  return (
    <div className="seat-map">
      <div className="seat-map-tools" role="group" aria-label="Zoom the seat map">
        <button type="button" className="icon-button" onClick={() => zoomBy(1.5)} aria-label="Zoom in">
          +
        </button>
        <button type="button" className="icon-button" onClick={() => zoomBy(1 / 1.5)} aria-label="Zoom out" disabled={scale <= 1.01}>
          −
        </button>
        <button type="button" className="icon-button icon-button-wide" onClick={reset} disabled={scale <= 1.01}>
          Fit
        </button>
      </div>
      <svg
        ref={svgRef}
        className="seat-map-svg"
        viewBox={shape.viewBox}
        role="group"
        aria-label={label}
        onPointerDown={(event) => {
          lastPointer.current = event.pointerType;
        }}
        onClick={onClick}
        onKeyDown={onKeyDown}
        onFocus={(event) => {
          const id = seatFromEvent(event);
          if (id !== null && id !== focusId) setFocusId(id);
        }}
        data-seat-count={state.seats.length}
      >
        <defs>
          <style>{categoryStyles(categories)}</style>
          <pattern id="seat-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
            <rect width="6" height="6" className="seat-hatch-ground" />
            <line x1="0" y1="0" x2="0" y2="6" className="seat-hatch-line" />
          </pattern>
          <symbol id="icon-wheelchair" viewBox="0 0 24 24">
            <circle cx="12" cy="4" r="2" />
            <path d="M11 7h2v5h5v2h-7zM9.5 10.2A6 6 0 1 0 16.8 18l-1.7-1A4 4 0 1 1 10 12.3z" />
          </symbol>
          <symbol id="icon-couple" viewBox="0 0 24 24">
            <path d="M12 21s-7.5-4.6-9.3-9.1C1.4 8.6 3.4 5 6.8 5c2 0 3.4 1.1 4.2 2.4h2C13.8 6.1 15.2 5 17.2 5c3.4 0 5.4 3.6 4.1 6.9C19.5 16.4 12 21 12 21z" />
          </symbol>
        </defs>
        <g ref={layerRef} className="seat-layer">
          {shape.screen && (
            <g className="seat-map-screen" aria-hidden="true">
              <path
                d={`M${shape.screen.x1} ${shape.screen.y + 8} Q${(shape.screen.x1 + shape.screen.x2) / 2} ${shape.screen.y - 6} ${shape.screen.x2} ${shape.screen.y + 8}`}
              />
              <text x={(shape.screen.x1 + shape.screen.x2) / 2} y={shape.screen.y - 8} textAnchor="middle">
                {shape.screen.label}
              </text>
            </g>
          )}
          {shape.rows.map((row) => (
            <g key={row.key} className="seat-map-row" aria-hidden="true">
              <text x={row.left} y={row.y} textAnchor="middle" dominantBaseline="central">
                {row.text}
              </text>
              <text x={row.right} y={row.y} textAnchor="middle" dominantBaseline="central">
                {row.text}
              </text>
            </g>
          ))}
          {state.seats.map((seat) => {
            const seatState = state.states.get(seat.id) ?? seat.state;
            const isMine = heldSet.has(seat.id);
            const category = categories.get(seat.category);
            return (
              <SeatShape
                key={seat.id}
                seat={seat}
                state={seatState}
                checked={selectedSet.has(seat.id) || isMine}
                mine={isMine}
                categoryClass={`cat-${cssName(seat.category)}`}
                tabbable={seat.id === tabStop}
                companion={companions.has(seat.id)}
                label={seatDescription(seat, {
                  state: seatState,
                  mine: isMine,
                  category,
                  price: prices[seat.category],
                  currency,
                  locale,
                  companionOf: companions.has(seat.id),
                  sectionInName,
                })}
              />
            );
          })}
        </g>
      </svg>
      <p className="seat-map-hint small muted">Pinch or use + to zoom; drag to move around the map.</p>
      <p className="visually-hidden" aria-live="polite">
        {ownSet.size ? `${ownSet.size} ${ownSet.size === 1 ? "seat" : "seats"} chosen.` : ""}
      </p>
    </div>
  );
}
