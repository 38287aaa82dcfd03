import PDFDocument from 'pdfkit';
import { pdfText } from './format.js';

export interface Column {
  header: string;
  width: number;
  align?: 'left' | 'right';
}

const MARGIN = 48;
const ROW = 14;

/** A4 pages with headings, key figures, tables that continue on the next page, and a line chart. */
export class PdfLayout {
  readonly doc: PDFKit.PDFDocument;
  private readonly chunks: Buffer[] = [];

  constructor(title: string, createdAt: Date) {
    this.doc = new PDFDocument({
      size: 'A4',
      margin: MARGIN,
      info: { Title: pdfText(title), Creator: 'Liftoff', CreationDate: createdAt },
    });
    this.doc.on('data', (c: Buffer) => this.chunks.push(c));
    this.doc.font('Helvetica');
  }

  private get bottom() {
    return this.doc.page.height - MARGIN;
  }

  private room(height: number): void {
    if (this.doc.y + height > this.bottom) this.doc.addPage();
  }

  title(text: string, subtitle: string): void {
    this.doc.font('Helvetica-Bold').fontSize(18).text(pdfText(text), MARGIN, MARGIN);
    this.doc.font('Helvetica').fontSize(9).fillColor('#555').text(pdfText(subtitle, 400)).fillColor('black');
    this.doc.moveDown(0.8);
  }

  heading(text: string): void {
    this.room(ROW * 4);
    this.doc.moveDown(0.6);
    this.doc.font('Helvetica-Bold').fontSize(12).text(pdfText(text), MARGIN);
    this.doc.font('Helvetica').fontSize(9).moveDown(0.3);
  }

  paragraph(text: string): void {
    this.room(ROW * 2);
    this.doc.font('Helvetica').fontSize(9).text(pdfText(text, 2000), MARGIN);
  }

  /** Label/value pairs, three to a row. */
  figures(items: [string, string][]): void {
    const width = (this.doc.page.width - 2 * MARGIN) / 3;
    for (let i = 0; i < items.length; i += 3) {
      this.room(32);
      const y = this.doc.y;
      items.slice(i, i + 3).forEach(([label, value], j) => {
        const x = MARGIN + j * width;
        this.doc
          .font('Helvetica')
          .fontSize(8)
          .fillColor('#555')
          .text(pdfText(label), x, y, { width, lineBreak: false });
        this.doc.font('Helvetica-Bold').fontSize(13).fillColor('black');
        this.doc.text(pdfText(value), x, y + 10, { width, lineBreak: false });
      });
      this.doc.font('Helvetica').fontSize(9);
      this.doc.x = MARGIN;
      this.doc.y = y + 32;
    }
  }

  table(columns: Column[], rows: string[][], empty = 'No data in this window.'): void {
    const header = () => {
      this.cells(
        columns,
        columns.map((c) => c.header),
        true,
      );
    };
    this.room(ROW * 3);
    header();
    if (rows.length === 0) this.paragraph(empty);
    for (const row of rows) {
      if (this.doc.y + ROW > this.bottom) {
        this.doc.addPage();
        header();
      }
      this.cells(columns, row, false);
    }
    this.doc.x = MARGIN;
  }

  private cells(columns: Column[], values: string[], bold: boolean): void {
    const y = this.doc.y;
    let x = MARGIN;
    this.doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(8);
    columns.forEach((c, i) => {
      const chars = Math.max(4, Math.floor(c.width / 4.2));
      this.doc.text(pdfText(values[i] ?? '', chars), x + 2, y + 3, {
        width: c.width - 4,
        align: c.align ?? 'left',
        lineBreak: false,
      });
      x += c.width;
    });
    if (bold) {
      this.doc
        .moveTo(MARGIN, y + ROW)
        .lineTo(x, y + ROW)
        .lineWidth(0.5)
        .stroke('#999');
    }
    this.doc.y = y + ROW;
    this.doc.x = MARGIN;
  }

  /** Lines over the same x positions; each series on its own scale (its maximum labelled in the legend). */
  lineChart(
    labels: string[],
    series: { name: string; color: string; values: number[]; fmt: (v: number) => string }[],
  ): void {
    const height = 150;
    this.room(height + 40);
    const top = this.doc.y + 4;
    const left = MARGIN;
    const width = this.doc.page.width - 2 * MARGIN;
    const d = this.doc;
    d.lineWidth(0.5).rect(left, top, width, height).stroke('#999');
    const n = labels.length;
    const xAt = (i: number) => left + (n <= 1 ? width / 2 : (i * width) / (n - 1));
    for (const s of series) {
      const max = Math.max(...s.values, 0);
      const yAt = (v: number) => top + height - (max > 0 ? (v / max) * (height - 10) : 0);
      d.lineWidth(1.2).strokeColor(s.color);
      s.values.forEach((v, i) => (i === 0 ? d.moveTo(xAt(i), yAt(v)) : d.lineTo(xAt(i), yAt(v))));
      if (n > 0) d.stroke();
    }
    d.strokeColor('black').fillColor('#555').font('Helvetica').fontSize(7);
    if (n > 0) {
      d.text(labels[0]!, left, top + height + 3, { lineBreak: false });
      d.text(labels[n - 1]!, left + width - 60, top + height + 3, {
        width: 60,
        align: 'right',
        lineBreak: false,
      });
    }
    let x = left;
    const legendY = top + height + 14;
    for (const s of series) {
      const max = Math.max(...s.values, 0);
      d.rect(x, legendY + 2, 8, 3).fill(s.color);
      const label = `${s.name} (max ${s.fmt(max)})`;
      d.fillColor('#333').text(label, x + 11, legendY, { lineBreak: false });
      x += 11 + d.widthOfString(label) + 14;
    }
    d.fillColor('black').fontSize(9);
    d.x = MARGIN;
    d.y = legendY + 16;
  }

  finish(): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.doc.on('end', () => resolve(Buffer.concat(this.chunks)));
      this.doc.on('error', reject);
      this.doc.end();
    });
  }
}
