/** A hand-written SVG line plot (log–log), so the bench needs no plotting dependency. */

export interface Series {
  readonly name: string;
  readonly colour: string;
  readonly points: readonly { readonly x: number; readonly y: number; readonly label?: string }[];
}

const escapeXml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function logLogPlot(title: string, xLabel: string, yLabel: string, series: readonly Series[]): string {
  const width = 720;
  const height = 440;
  const left = 80;
  const right = 180;
  const top = 40;
  const bottom = 60;
  const all = series.flatMap((s) => s.points).filter((p) => p.x > 0 && p.y > 0);
  const lx = (v: number) => Math.log10(v);
  const xMin = Math.floor(Math.min(...all.map((p) => lx(p.x))));
  const xMax = Math.ceil(Math.max(...all.map((p) => lx(p.x))));
  const yMin = Math.floor(Math.min(...all.map((p) => lx(p.y))));
  const yMax = Math.ceil(Math.max(...all.map((p) => lx(p.y))));
  const px = (v: number) => left + ((lx(v) - xMin) / Math.max(1, xMax - xMin)) * (width - left - right);
  const py = (v: number) => height - bottom - ((lx(v) - yMin) / Math.max(1, yMax - yMin)) * (height - top - bottom);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(title)}</text>`,
  ];
  for (let e = xMin; e <= xMax; e++) {
    const x = px(10 ** e);
    out.push(`<line x1="${x}" y1="${top}" x2="${x}" y2="${height - bottom}" stroke="#ddd"/>`);
    out.push(
      `<text x="${x}" y="${height - bottom + 16}" text-anchor="middle">${(10 ** e).toLocaleString("en")}</text>`,
    );
  }
  for (let e = yMin; e <= yMax; e++) {
    const y = py(10 ** e);
    const label = e >= 3 ? `${10 ** (e - 3)} ms` : `${10 ** e} µs`;
    out.push(`<line x1="${left}" y1="${y}" x2="${width - right}" y2="${y}" stroke="#ddd"/>`);
    out.push(`<text x="${left - 6}" y="${y + 4}" text-anchor="end">${label}</text>`);
  }
  out.push(
    `<text x="${(left + width - right) / 2}" y="${height - 18}" text-anchor="middle">${escapeXml(xLabel)}</text>`,
    `<text transform="translate(18 ${(top + height - bottom) / 2}) rotate(-90)" text-anchor="middle">${escapeXml(yLabel)}</text>`,
  );
  series.forEach((s, i) => {
    const pts = s.points.filter((p) => p.x > 0 && p.y > 0);
    out.push(
      `<polyline fill="none" stroke="${s.colour}" stroke-width="2" points="${pts.map((p) => `${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(" ")}"/>`,
    );
    for (const p of pts) {
      out.push(`<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="3.5" fill="${s.colour}"/>`);
      if (p.label !== undefined && i === 0) {
        out.push(
          `<text x="${px(p.x).toFixed(1)}" y="${(py(p.y) - 8).toFixed(1)}" text-anchor="middle" font-size="10">${escapeXml(p.label)}</text>`,
        );
      }
    }
    const ly = top + 10 + i * 20;
    out.push(
      `<line x1="${width - right + 16}" y1="${ly}" x2="${width - right + 40}" y2="${ly}" stroke="${s.colour}" stroke-width="2"/>`,
      `<text x="${width - right + 46}" y="${ly + 4}">${escapeXml(s.name)}</text>`,
    );
  });
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
