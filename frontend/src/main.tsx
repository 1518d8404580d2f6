import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { RouterProvider } from "react-router";
import { api } from "./api";
import { ApiError } from "./api/errors";
import { config } from "./config";
import { setMinorDigits } from "./lib/money";
import { router } from "./router";
import "./styles/app.css";

const chain = config();
if (chain.currency_digits !== undefined) setMinorDigits(chain.currency, chain.currency_digits);
document.documentElement.dataset.chain = chain.slug;
document.documentElement.dataset.style = chain.style || "light";

// Another tab signed in or out: follow it.
window.addEventListener("storage", (event) => {
  if (event.key === "tp.refresh") api().session.external(event.oldValue, event.newValue);
});

const queries = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      refetchOnWindowFocus: false,
      // A 4xx will not get better by asking again; a network blip might.
      retry: (failures, error) =>
        failures < 2 && !(error instanceof ApiError && error.status >= 400 && error.status < 500),
    },
  },
});

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <QueryClientProvider client={queries}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  </StrictMode>,
);
