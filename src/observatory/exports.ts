/** A view as a table: what the dashboards show, exported as CSV, XLSX or SDMX-CSV. */
export interface Table {
  name: string;
  columns: string[];
  rows: (string | number | boolean | null)[][];
}

function csvCell(v: string | number | boolean | null): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** RFC 4180 CSV, UTF-8 with a byte-order mark so that spreadsheets read accents right. */
export function toCsv(t: Table): string {
  const lines = [t.columns, ...t.rows].map((r) => r.map(csvCell).join(','));
  return `\ufeff${lines.join('\r\n')}\r\n`;
}

export async function toXlsx(tables: Table[], title: string): Promise<Buffer> {
  // Loaded on first export: the library is large (about 20 MB resident) and most processes never need it.
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Escale Observatory';
  wb.title = title;
  wb.created = new Date();
  for (const t of tables) {
    const ws = wb.addWorksheet(t.name.slice(0, 31));
    ws.addRow(t.columns);
    ws.getRow(1).font = { bold: true };
    for (const r of t.rows) ws.addRow(r);
    ws.views = [{ state: 'frozen', ySplit: 1 }];
    t.columns.forEach((c, i) => {
      const width = Math.min(
        60,
        Math.max(c.length, ...t.rows.slice(0, 200).map((r) => String(r[i] ?? '').length)) + 2,
      );
      ws.getColumn(i + 1).width = width;
    });
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export interface SdmxObservation {
  indicator: string;
  project: string;
  period: string;
  value: number;
  unit: string | null;
  status: string;
}

/**
 * SDMX-CSV (version 1.0 layout): one observation per line, the dataflow in the first column, dimensions
 * (INDICATOR, PROJECT — `_T` for the programme total), TIME_PERIOD, OBS_VALUE, then attributes.
 */
export function toSdmxCsv(agency: string, programme: string, obs: SdmxObservation[]): string {
  const flow = `${agency}:OBS_${programme}(1.0)`;
  const t: Table = {
    name: 'sdmx',
    columns: ['DATAFLOW', 'INDICATOR', 'PROJECT', 'TIME_PERIOD', 'OBS_VALUE', 'UNIT_MEASURE', 'OBS_STATUS'],
    rows: obs.map((o) => [flow, o.indicator, o.project, o.period, o.value, o.unit, o.status]),
  };
  return toCsv(t).replace(/^\ufeff/, '');
}

export interface ReportData {
  title: string;
  subtitle: string;
  year: number;
  generatedAt: string;
  summary: [string, string][];
  indicators: {
    code: string;
    name: string;
    unit: string;
    baseline: string;
    target: string;
    value: string;
    trend: string;
  }[];
  topics: {
    name: string;
    actions: { name: string; projects: { code: string; name: string; status: string; lead: string }[] }[];
  }[];
  campaigns: { name: string; period: string; rate: string }[];
}

/** The yearly PDF report of the programme (pdfkit, standard fonts). */
export async function toPdf(d: ReportData): Promise<Buffer> {
  // Loaded on first report, like exceljs: pdfkit and its fonts weigh about 10 MB resident.
  const { default: PDFDocument } = await import('pdfkit');
  return new Promise((resolvePdf, reject) => {
    const doc = new PDFDocument({
      size: 'A4',
      margin: 50,
      info: { Title: d.title, Author: 'Escale Observatory' },
    });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolvePdf(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.font('Helvetica-Bold').fontSize(20).text(d.title);
    doc.moveDown(0.3).font('Helvetica').fontSize(12).fillColor('#444').text(d.subtitle);
    doc.fontSize(9).text(`Generated ${d.generatedAt}`).fillColor('#000');
    doc.moveDown();
    doc.font('Helvetica-Bold').fontSize(14).text(`Summary ${d.year}`);
    doc.font('Helvetica').fontSize(10);
    for (const [k, v] of d.summary) doc.text(`${k}: ${v}`);
    doc.moveDown();
    doc.font('Helvetica-Bold').fontSize(14).text('Indicators (approved values)');
    doc.moveDown(0.3);
    const cols = [50, 120, 300, 360, 420, 480];
    const header = ['Code', 'Indicator', 'Baseline', 'Target', 'Value', 'Trend'];
    const row = (cells: string[], bold = false) => {
      if (doc.y > 760) doc.addPage();
      const y = doc.y;
      doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(8);
      let h = 0;
      cells.forEach((c, i) => {
        const w = (cols[i + 1] ?? 545) - cols[i] - 4;
        doc.text(c, cols[i], y, { width: w });
        h = Math.max(h, doc.y - y);
      });
      doc.x = 50;
      doc.y = y + h + 3;
    };
    row(header, true);
    for (const i of d.indicators)
      row([i.code, `${i.name}${i.unit ? ` (${i.unit})` : ''}`, i.baseline, i.target, i.value, i.trend]);
    doc.moveDown();
    if (d.campaigns.length) {
      doc.font('Helvetica-Bold').fontSize(14).text('Collection campaigns', 50);
      doc.font('Helvetica').fontSize(10);
      for (const c of d.campaigns) doc.text(`${c.name} (${c.period}): ${c.rate} of indicators informed`);
      doc.moveDown();
    }
    doc.font('Helvetica-Bold').fontSize(14).text('Topics, actions and projects', 50);
    for (const t of d.topics) {
      if (doc.y > 740) doc.addPage();
      doc.moveDown(0.4).font('Helvetica-Bold').fontSize(11).text(t.name);
      for (const a of t.actions) {
        doc.font('Helvetica-Oblique').fontSize(10).text(a.name, { indent: 10 });
        doc.font('Helvetica').fontSize(8);
        for (const p of a.projects)
          doc.text(`${p.code} – ${p.name} (${p.lead}) – ${p.status}`, { indent: 20 });
      }
    }
    doc.end();
  });
}
