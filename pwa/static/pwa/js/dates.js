// Calendar days as local "YYYY-MM-DD" strings; weeks start on Monday.
const pad = (number) => String(number).padStart(2, "0");

export const isoDay = (date) => `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
export const isIsoDay = (text) => /^\d{4}-\d{2}-\d{2}$/.test(text ?? "") && !Number.isNaN(parseDay(text).getTime());

export function parseDay(text) {
  const [year, month, day] = text.split("-").map(Number);
  return new Date(year, month - 1, day);
}

export const addDays = (date, days) => new Date(date.getFullYear(), date.getMonth(), date.getDate() + days);
export const mondayOf = (date) => addDays(date, -((date.getDay() + 6) % 7));
export const today = () => isoDay(new Date());

export const dayLabel = (date) => date.toLocaleDateString("en-GB", { weekday: "short", day: "numeric", month: "short" });
export const longDay = (text) =>
  parseDay(text).toLocaleDateString("en-GB", { weekday: "long", day: "numeric", month: "long", year: "numeric" });

export function weekLabel(monday) {
  const sunday = addDays(monday, 6);
  const start = monday.toLocaleDateString("en-GB", { day: "numeric", month: "short" });
  const end = sunday.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric" });
  return `${start} – ${end}`;
}

/** Sum in quarter hours, so 0.1 + 0.2 style float drift never shows. */
export const sumHours = (items) => items.reduce((quarters, item) => quarters + Math.round(Number(item.hours) * 4), 0) / 4;
export const formatHours = (hours) => `${Number(hours).toLocaleString("en-GB", { maximumFractionDigits: 2 })} h`;
