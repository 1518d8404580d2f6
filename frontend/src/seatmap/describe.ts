/** Words for a seat: what a screen reader says and what a tooltip shows. */

import type { Seat, SeatState } from "../api/types";
import { formatPrice } from "../lib/money";

export interface CategoryInfo {
  name: string;
  colour: string;
}

const STATE_WORDS: Record<SeatState, string> = {
  available: "available",
  held: "taken",
  sold: "sold",
  blocked: "not for sale",
};

export function seatDescription(
  seat: Seat,
  options: {
    state: SeatState;
    mine: boolean;
    category: CategoryInfo | undefined;
    price: number | undefined;
    currency: string;
    locale: string;
    companionOf: boolean;
    sectionInName: boolean;
  },
): string {
  const parts: string[] = [];
  if (options.sectionInName && seat.section) parts.push(seat.section);
  parts.push(`Row ${seat.row}`, `seat ${seat.number}`);
  parts.push(options.category?.name ?? seat.category);
  if (seat.wheelchair) parts.push("wheelchair space");
  if (options.companionOf) parts.push("companion seat");
  if (seat.width > 1 && seat.category === "couple") parts.push("for two");
  if (options.price !== undefined) parts.push(formatPrice(options.price, options.currency, options.locale));
  parts.push(options.mine ? "held for you" : STATE_WORDS[options.state]);
  return parts.join(", ");
}
