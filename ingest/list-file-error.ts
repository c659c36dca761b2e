// The error a list file we cannot read ends in, apart from the reader (ingest/list-file.ts): the
// chat's error boundary (bot/bot.ts) recognises it on every update, while the reader itself is
// loaded only when a list is uploaded (app/lists.ts imports it on first use), so an answer's cold
// start does not evaluate it.

export type ListFileErrorCode =
  /** Legacy binary Excel (.xls/.et, or an HTML table named .xls): save as .xlsx or CSV. */
  | 'xls_unsupported'
  /** A spreadsheet in a format we do not read (.xlsb, .ods, Excel 2003 XML): save as .xlsx or CSV. */
  | 'unsupported_spreadsheet'
  /** A password-protected Office file. */
  | 'encrypted'
  /** A picture, PDF, Word/PowerPoint file, archive, web page or other binary: not a list at all. */
  | 'not_a_list'
  /** The file, its uncompressed content or its cell count exceeds what a village list can need. */
  | 'too_large'
  | 'too_many_rows'
  | 'too_many_columns'
  | 'unreadable_xlsx'
  | 'no_worksheet'
  | 'unreadable_csv'
  | 'empty_file';

/** A file we cannot turn into rows; `message` is Chinese and can be shown to the uploader as is. */
export class ListFileError extends Error {
  override readonly name = 'ListFileError';
  constructor(
    readonly code: ListFileErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
