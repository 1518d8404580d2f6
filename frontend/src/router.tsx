import { createBrowserRouter } from "react-router";
import { Layout } from "./components/Layout";
import { RouteError } from "./components/RouteError";
import { Loading } from "./components/Status";
import { HomePage } from "./pages/HomePage";

/**
 * The storefront's pages. The home page is in the first bundle; every other page is
 * its own chunk, loaded when first visited (the seat map's zoom code only with a show).
 * Django serves the same shell for each of these paths, so deep links work on reload.
 */
export const router = createBrowserRouter([
  {
    element: <Layout />,
    errorElement: <RouteError />,
    // The first page's own code is loading.
    hydrateFallbackElement: <Loading />,
    children: [
      { index: true, element: <HomePage /> },
      {
        path: "titles/:titleId",
        lazy: async () => ({ Component: (await import("./pages/TitlePage")).TitlePage }),
      },
      {
        path: "shows/:showId",
        // Keyed by the show, so going from one show to another starts afresh.
        lazy: async () => ({ Component: (await import("./pages/ShowPage")).KeyedShowPage }),
      },
      {
        path: "checkout/:holdId",
        lazy: async () => ({ Component: (await import("./pages/CheckoutPage")).CheckoutPage }),
      },
      {
        path: "orders",
        lazy: async () => ({ Component: (await import("./pages/OrdersPage")).OrdersPage }),
      },
      {
        path: "orders/:orderId",
        lazy: async () => ({ Component: (await import("./pages/OrderPage")).OrderPage }),
      },
      {
        path: "signin",
        lazy: async () => ({ Component: (await import("./pages/auth/SignInPage")).SignInPage }),
      },
      {
        path: "signin/:provider",
        lazy: async () => ({ Component: (await import("./pages/auth/OAuthReturnPage")).OAuthReturnPage }),
      },
      {
        path: "register",
        lazy: async () => ({ Component: (await import("./pages/auth/RegisterPage")).RegisterPage }),
      },
      {
        path: "forgot-password",
        lazy: async () => ({
          Component: (await import("./pages/auth/ForgotPasswordPage")).ForgotPasswordPage,
        }),
      },
      {
        path: "*",
        lazy: async () => ({ Component: (await import("./pages/NotFoundPage")).NotFoundPage }),
      },
    ],
  },
]);
