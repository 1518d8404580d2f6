// Charts on the dashboard's server-rendered pages (placeholder until they are built).
export {};
