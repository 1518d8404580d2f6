/**
 * The box office: a screen of the chain's dashboard (`/dashboard/box-office/`) for
 * selling at the counter. It reads its configuration from the page, talks to /api/v1
 * with the dashboard's session, and draws seats with the storefront's own seat map.
 */
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { ApiError } from "../api/errors";
import { noteServerDate } from "../hooks/clock";
import { setMinorDigits } from "../lib/money";
import { DeskApi } from "./api";
import { App } from "./App";
import "./box-office.css";
import { readBoxOfficeConfig } from "./config";
import { DeskContext } from "./context";

const config = readBoxOfficeConfig();
setMinorDigits(config.currency, config.currency_digits);
const api = new DeskApi(config.api, config.csrf_token, async (input, init) => {
  const response = await globalThis.fetch(input, init);
  // Holds run out by the server's clock: the countdown follows it, not this machine's.
  noteServerDate(response.headers.get("Date"));
  return response;
});

const queries = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      refetchOnWindowFocus: true,
      retry: (failures, error) => failures < 2 && !(error instanceof ApiError && error.status >= 400 && error.status < 500),
    },
  },
});

const root = document.getElementById("box-office");
if (root) {
  root.textContent = "";
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={queries}>
        <DeskContext.Provider value={{ config, api }}>
          <App />
        </DeskContext.Provider>
      </QueryClientProvider>
    </StrictMode>,
  );
}
