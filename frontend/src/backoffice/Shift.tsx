import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { ApiError, describeError } from "../api/errors";
import { formatMoney } from "../lib/money";
import { formatTime } from "../lib/time";
import { listOf, type Shift, type ShiftReport } from "./api";
import { useDesk } from "./context";
import { parseAmount } from "./logic";

/** The open shift, or null when there is none (404 `no_open_shift`). */
export function useCurrentShift() {
  const { api } = useDesk();
  return useQuery({
    queryKey: ["desk-shift"],
    queryFn: async (): Promise<Shift | null> => {
      try {
        return await api.currentShift();
      } catch (problem) {
        if (problem instanceof ApiError && problem.status === 404) return null;
        throw problem;
      }
    },
    retry: false,
  });
}

function Dialog({ title, onClose, children }: { title: string; onClose: () => void; children: React.ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // The amount first (the till is chosen already); then whatever there is.
    const first = ref.current?.querySelector<HTMLElement>("input") ?? ref.current?.querySelector<HTMLElement>("select, button.desk-button");
    first?.focus();
  }, []);
  return (
    <div className="desk-dialog-backdrop">
      <div
        className="desk-dialog"
        role="dialog"
        aria-modal="true"
        aria-label={title}
        ref={ref}
        onKeyDown={(event) => {
          if (event.key === "Escape") {
            event.stopPropagation();
            onClose();
          }
        }}
      >
        <h2>{title}</h2>
        {children}
      </div>
    </div>
  );
}

export function OpenShiftDialog({
  onOpened,
  onClose,
  reason,
  venue,
}: {
  onOpened: (shift: Shift) => void;
  onClose: () => void;
  reason?: string;
  /** The venue being sold for: its tills come first. */
  venue: number | null;
}) {
  const { api, config } = useDesk();
  const queries = useQueryClient();
  const tills = useQuery({ queryKey: ["desk-tills"], queryFn: () => api.tills() });
  const [till, setTill] = useState<number | null>(null);
  const [float, setFloat] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const list = [...listOf(tills.data)].sort((a, b) => Number(b.venue?.id === venue) - Number(a.venue?.id === venue));
  const free = list.filter((t) => !t.open_shift);
  const chosen = till ?? free[0]?.id ?? null;

  const submit = async () => {
    const amount = parseAmount(float || "0", config.currency);
    if (chosen === null) return setError("Choose a till.");
    if (amount === null) return setError("Type the float as an amount, such as 2000.");
    setBusy(true);
    setError(null);
    try {
      const shift = await api.openShift(chosen, amount);
      queries.setQueryData(["desk-shift"], shift);
      void queries.invalidateQueries({ queryKey: ["desk-tills"] });
      onOpened(shift);
    } catch (problem) {
      setError(describeError(problem));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title="Open a shift" onClose={onClose}>
      {reason && <p className="desk-muted">{reason}</p>}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <label className="desk-field">
          <span>Till</span>
          <select value={chosen ?? ""} onChange={(event) => setTill(Number(event.target.value))} name="till">
            {list.map((t) => (
              <option key={t.id} value={t.id} disabled={Boolean(t.open_shift)}>
                {t.name}
                {t.venue ? ` · ${t.venue.name}` : ""}
                {t.open_shift ? " (in use)" : ""}
              </option>
            ))}
          </select>
        </label>
        {tills.isError && <p className="desk-error">{describeError(tills.error)}</p>}
        <label className="desk-field">
          <span>Float (cash in the drawer)</span>
          <input name="float" inputMode="decimal" value={float} onChange={(event) => setFloat(event.target.value)} autoComplete="off" />
        </label>
        {error && (
          <p className="desk-error" role="alert">
            {error}
          </p>
        )}
        <div className="desk-actions">
          <button type="button" className="desk-button desk-button-quiet" onClick={onClose}>
            Cancel <kbd>Esc</kbd>
          </button>
          <button type="submit" className="desk-button" disabled={busy || chosen === null}>
            Open shift <kbd>Enter</kbd>
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export function CloseShiftDialog({ shift, onClose }: { shift: Shift; onClose: () => void }) {
  const { api, config } = useDesk();
  const queries = useQueryClient();
  const [counted, setCounted] = useState("");
  const [report, setReport] = useState<ShiftReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const money = (minor: number) => formatMoney(minor, report?.currency ?? config.currency, config.locale);
  // Money out shows as negative, and nothing out as nothing (not "-₹0.00").
  const out = (minor: number) => (minor ? -Math.abs(minor) : 0);

  const submit = async () => {
    const amount = parseAmount(counted, config.currency);
    if (amount === null) return setError("Type the cash counted in the drawer.");
    setBusy(true);
    setError(null);
    try {
      setReport(await api.closeShift(shift.id, amount));
      queries.setQueryData(["desk-shift"], null);
      void queries.invalidateQueries({ queryKey: ["desk-tills"] });
    } catch (problem) {
      setError(describeError(problem));
    } finally {
      setBusy(false);
    }
  };

  if (report) {
    const rows: [string, number][] = [
      ["Float", report.float],
      ["Cash sales", report.cash_sales],
      ["Cash refunds", out(report.cash_refunds)],
      ["Expected in the drawer", report.expected_cash],
      ["Counted", report.counted],
    ];
    return (
      <Dialog title={`Shift report · ${shift.till.name}`} onClose={onClose}>
        <table className="desk-report">
          <tbody>
            {rows.map(([label, value]) => (
              <tr key={label}>
                <th scope="row">{label}</th>
                <td>{money(value)}</td>
              </tr>
            ))}
            <tr className={`desk-variance${report.variance === 0 ? "" : report.variance > 0 ? " is-over" : " is-short"}`}>
              <th scope="row">Variance</th>
              <td>{money(report.variance)}</td>
            </tr>
            <tr>
              <th scope="row">Card sales</th>
              <td>{money(report.card_sales)}</td>
            </tr>
            <tr>
              <th scope="row">Card refunds</th>
              <td>{money(out(report.card_refunds))}</td>
            </tr>
            <tr>
              <th scope="row">Orders · tickets</th>
              <td>
                {report.orders} · {report.tickets}
              </td>
            </tr>
          </tbody>
        </table>
        <div className="desk-actions">
          <button type="button" className="desk-button" onClick={onClose}>
            Done
          </button>
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog title={`Close the shift · ${shift.till.name}`} onClose={onClose}>
      <p className="desk-muted">
        Opened at {formatTime(shift.opened_at, config.timezone, config.locale)} with a float of {money(shift.float)}. Count the cash in the
        drawer.
      </p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <label className="desk-field">
          <span>Cash counted</span>
          <input name="counted" inputMode="decimal" value={counted} onChange={(event) => setCounted(event.target.value)} autoComplete="off" />
        </label>
        {error && (
          <p className="desk-error" role="alert">
            {error}
          </p>
        )}
        <div className="desk-actions">
          <button type="button" className="desk-button desk-button-quiet" onClick={onClose}>
            Cancel <kbd>Esc</kbd>
          </button>
          <button type="submit" className="desk-button" disabled={busy}>
            Close shift <kbd>Enter</kbd>
          </button>
        </div>
      </form>
    </Dialog>
  );
}
