/**
 * The compiler checks the storefront's API types (types.ts) against the ones generated
 * from the OpenAPI schema (schema.d.ts): every field the storefront reads must exist in
 * the API with a type the storefront can take. A change to the API that breaks the
 * storefront fails `tsc` here, before any browser runs. Nothing in this file runs.
 */
import type { components } from "./schema";
import type * as T from "./types";

type S = components["schemas"];

type Reads<Hand, Generated> = {
  [K in keyof Hand]-?: K extends keyof Generated
    ? Exclude<Generated[K], undefined> extends Hand[K]
      ? true
      : { field_type_differs: K; api: Generated[K]; storefront: Hand[K] }
    : { field_missing_from_api: K };
};
type Agrees<Hand, Generated> = Reads<Hand, Generated>[keyof Hand] extends true ? true : Reads<Hand, Generated>[keyof Hand];
type Check<Result extends true> = Result;

export type Contract = [
  Check<Agrees<T.Title, S["TitleDetailOutput"]>>,
  Check<Agrees<Omit<T.Title, "credits">, S["TitleOutput"]>>,
  Check<Agrees<T.Venue, S["Venue"]>>,
  Check<Agrees<T.Show, S["ShowOutput"]>>,
  Check<Agrees<T.ShowtimeGrid, S["ShowtimeGridOutput"]>>,
  Check<Agrees<T.GridTitle, S["ShowtimeTitleOutput"]>>,
  Check<Agrees<T.GridShow, S["ShowtimeShowOutput"]>>,
  Check<Agrees<T.SeatCategory, S["SeatCategory"]>>,
  Check<Agrees<T.SeatMap, S["SeatMapOutput"]>>,
  Check<Agrees<T.Seat, S["ShowSeatOutput"]>>,
  Check<Agrees<T.Hold, S["HoldOutput"]>>,
  Check<Agrees<T.QueueState, S["QueueStateOutput"]>>,
  Check<Agrees<T.QueuePlace, S["QueuePlaceOutput"]>>,
  Check<Agrees<T.QueueStatus, S["QueueStatusOutput"]>>,
  Check<Agrees<T.Quote, S["QuoteOutput"]>>,
  Check<Agrees<T.QuoteLine, S["QuoteLineOutput"]>>,
  Check<Agrees<T.Order, S["OrderOutput"]>>,
  Check<Agrees<T.OrderLine, S["OrderLineOutput"]>>,
  Check<Agrees<T.Order["show"], S["OrderShowOutput"]>>,
  Check<Agrees<T.Ticket, S["TicketOutput"]>>,
  Check<Agrees<T.CancelQuote, S["CancelQuoteOutput"]>>,
  Check<Agrees<T.CancelResult, S["CancelOutput"]>>,
  Check<Agrees<T.User, S["UserOutput"]>>,
];
