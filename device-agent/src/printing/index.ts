export { encodeTicket, encodeItems, geometryOf } from './escpos.encoder';
export type { EncodeTicketOptions, PrintGeometry } from './escpos.encoder';
export type { EncodedJob, TextRasterizer, RasterTextStyle, RasterBitmap } from './escpos.types';
export { decodeEscPos, EscPosStreamParser, emptyReceipt, addToReceipt } from './escpos.decoder';
export type {
  DecodedReceipt,
  DecodedBlock,
  TextBlock,
  RasterBlock,
  QrBlock,
  BarcodeBlock,
  FeedBlock,
  CutBlock,
  UnknownCommand,
  DecodeOptions,
  ParserEvent,
} from './escpos.decoder';
export { EscPosPrinterDriver } from './escpos-printer.driver';
export type { EscPosPrinterDriverOptions, PrintResult, PrintJobState, PrintJobEvent } from './escpos-printer.driver';
export { StatusDemux, conditionsFromRealtime, conditionsFromAsb, failureReason } from './printer-status';
export type { PrinterStatus, PrinterCondition, PrintFailureReason } from './printer-status';
export { layoutTicket, ticketQrPayload, formatIssuedAt, vietnameseLabels } from './ticket.layout';
export type { TicketItem, TicketLabels, LayoutOptions } from './ticket.layout';
export { encodeCp1258, decodeCp1258 } from './codepages';
export { OutlineTextRasterizer, bundledTextRasterizer, loadBundledFonts, parseFont } from './text-raster';
export { renderReceipt, renderReceiptPng, receiptPng, previewOptionsFor } from './receipt-preview';
export type { ReceiptImage, PreviewOptions } from './receipt-preview';
export { layoutPaymentReceipt, layoutVietQrSlip, formatVnd } from './payment-receipt.layout';
