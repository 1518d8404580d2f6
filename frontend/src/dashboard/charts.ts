// Charts on the dashboard's server-rendered pages (the home page and the reports).
//
// Each chart is a <canvas data-chart="name" data-source="id"> beside a
// `json_script` tag (id) holding what to draw (dashboards/charts.py `chart_data`):
// no inline script, so the pages keep their strict CSP. Only the parts of Chart.js
// these bar charts use are registered, so the rest is tree-shaken away.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  Tooltip,
  type ChartConfiguration,
} from "chart.js";
import "./charts.css";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

export interface ChartData {
  type: "bar";
  labels: string[];
  datasets: { label: string; data: number[] }[];
  colour: string;
  currency: string | null;
  stacked: boolean;
  horizontal: boolean;
  percent: boolean;
}

// The chain's colour first, then a muted and a pale one (held, free; last week).
export function palette(colour: string, count: number): string[] {
  const base = /^#[0-9a-f]{6}$/i.test(colour) ? colour : "#1f2937";
  const shades = [base, `${base}99`, "#d1d5db", "#f59e0b", "#10b981", "#6366f1"];
  return Array.from({ length: count }, (_, index) => shades[index % shades.length]);
}

export function formatValue(value: number, data: ChartData): string {
  if (data.percent) return `${value.toFixed(0)}%`;
  if (data.currency) {
    try {
      return new Intl.NumberFormat(undefined, {
        style: "currency",
        currency: data.currency,
        maximumFractionDigits: 0,
      }).format(value);
    } catch {
      return `${value.toLocaleString()} ${data.currency}`;
    }
  }
  return value.toLocaleString();
}

export function configure(data: ChartData): ChartConfiguration<"bar"> {
  const colours = palette(data.colour, data.datasets.length);
  const valueAxis = data.horizontal ? "x" : "y";
  const ticks = { callback: (value: string | number) => formatValue(Number(value), data) };
  // Shares run from 0 to 100 %, whatever the highest one.
  const range = data.percent ? { beginAtZero: true, max: 100 } : { beginAtZero: true };
  return {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: data.datasets.map((set, index) => ({
        label: set.label,
        data: set.data,
        backgroundColor: colours[index],
        borderRadius: 3,
        maxBarThickness: 48,
      })),
    },
    options: {
      indexAxis: data.horizontal ? "y" : "x",
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: {
        legend: { display: data.datasets.length > 1, position: "bottom" },
        tooltip: {
          callbacks: {
            label: (item) => `${item.dataset.label}: ${formatValue(Number(item.raw), data)}`,
          },
        },
      },
      scales: {
        x: { stacked: data.stacked, ...(valueAxis === "x" ? { ticks, ...range } : {}) },
        y: { stacked: data.stacked, ...(valueAxis === "y" ? { ticks, ...range } : {}) },
      },
    },
  };
}

export function drawCharts(root: ParentNode = document): Chart[] {
  const charts: Chart[] = [];
  root.querySelectorAll<HTMLCanvasElement>("canvas[data-chart]").forEach((canvas) => {
    const source = canvas.dataset.source ? document.getElementById(canvas.dataset.source) : null;
    if (!source?.textContent) return;
    const data = JSON.parse(source.textContent) as ChartData;
    if (!data.labels.length) return;
    // A tall enough box for horizontal bars: one row per label.
    if (data.horizontal && canvas.parentElement) {
      canvas.parentElement.style.height = `${Math.max(160, 36 * data.labels.length + 60)}px`;
    }
    charts.push(new Chart(canvas, configure(data)));
  });
  return charts;
}

if (typeof document !== "undefined") {
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => drawCharts());
  } else {
    drawCharts();
  }
}
